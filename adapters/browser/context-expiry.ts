import type { BrowserContext } from 'playwright-core';
import { codeOf } from '../../src/env/code-of.js';
import { DreambridgeError, EnvClosedError } from '../../src/env/errors.js';
import { cleanUp } from '../../src/env/clean-up.js';

/** An episode's context lease ran out (`episodeTimeoutMs` of the browser cluster): its context was closed. */
export class EpisodeLeaseTimeoutError extends DreambridgeError {
  constructor(timeoutMs: number) {
    super('EPISODE_TIMEOUT', `the episode's browser context was closed: its lease ran out after ${timeoutMs} ms (episodeTimeoutMs)`, {
      details: { timeoutMs },
    });
  }
}

/** The browser under an episode's context went away (crashed, killed, remote lost) while the episode used it. */
export class BrowserDisconnectedError extends DreambridgeError {
  constructor() {
    super('ENV_CLOSED', "the browser disconnected (crashed, was killed or its remote endpoint went away) while this episode's context was open; later episodes get a new browser");
  }
}

/** Left working on an expired object: closing it (idempotent) and listening to its events. */
const kept = new Set([
  'constructor', 'close', 'isClosed', 'on', 'once', 'off', 'addListener', 'removeListener', 'removeAllListeners',
  'prependListener', 'prependOnceListener', 'emit', 'listeners', 'listenerCount', 'rawListeners', 'eventNames',
  'setMaxListeners', 'getMaxListeners',
]);

/** Public methods along the prototype chain (Playwright's internals are `_`-prefixed and stay untouched). */
const publicMethods = (object: object): string[] => {
  const names = new Set<string>();
  for (let proto: unknown = Object.getPrototypeOf(object); proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (kept.has(name) || name.startsWith('_')) continue;
      if (typeof Object.getOwnPropertyDescriptor(proto, name)?.value === 'function') names.add(name);
    }
  }
  return [...names];
};

/** From now on every public method of `object` throws `error` (own properties shadow the prototype's). */
const tombstone = (object: object, error: Error): void => {
  for (const name of publicMethods(object)) {
    Object.defineProperty(object, name, {
      configurable: true,
      writable: true,
      value: () => {
        throw error;
      },
    });
  }
};

/**
 * Ends a context the cluster took back (lease timeout, crash, shutdown) so that the env holding it
 * fails its next call with `error` instead of Playwright's generic "Target page, context or
 * browser has been closed" (a closed context no longer knows why it was closed). The objects
 * themselves are patched, not wrapped: adapters compare pages by identity (WebArena's tabs).
 * Calls in flight reject with Playwright's error carrying `error.message` as the close reason.
 */
export const expireContext = async (context: BrowserContext, error: Error): Promise<void> => {
  const pages = context.pages();
  for (const page of pages) tombstone(page, error);
  tombstone(context, error);
  await cleanUp('expired browser context', () => context.close({ reason: `${codeOf(error) ?? error.name}: ${error.message}` }));
};

/**
 * Playwright (1.65) never settles a `newPage()` whose context is closed while the page is being
 * made, which would leave an env's reset hanging when its lease is taken back at that moment.
 * This makes such a call reject with `reason()` (the lease's error), else ENV_CLOSED, as soon as
 * the context closes. Patched on the object so pages stay Playwright's own.
 */
export const guardNewPage = (context: BrowserContext, reason: () => Error | undefined): void => {
  const newPage = context.newPage.bind(context);
  let closed = false;
  context.once('close', () => {
    closed = true;
  });
  Object.defineProperty(context, 'newPage', {
    configurable: true,
    writable: true,
    value: () =>
      new Promise((resolve, reject) => {
        // Deferred a turn, so the lease has recorded why its context closed.
        const fail = () => setImmediate(() => reject(reason() ?? new EnvClosedError('browser context')));
        if (closed) return fail();
        context.once('close', fail);
        newPage().then(resolve, reject).finally(() => context.off('close', fail));
      }),
  });
};
