import { chromium, type Browser, type BrowserContext, type BrowserContextOptions } from 'playwright-core';
import { BrowserLaunchFailedError, EnvClosedError } from '../../src/env/errors.js';
import { guardNewPage } from './context-expiry.js';
import { launchChromium, type LaunchChromiumOptions } from './launch.js';
import { cleanUp } from '../../src/env/clean-up.js';

/** Where browsers come from: a local launch, a Playwright browser server, or a CDP endpoint. */
export type BrowserSource =
  | ({ kind: 'launch' } & LaunchChromiumOptions)
  | { kind: 'ws'; wsEndpoint: string; timeoutMs?: number }
  | { kind: 'cdp'; cdpEndpoint: string; timeoutMs?: number };

/**
 * Hands out one isolated browser context per episode from a shared browser, relaunching (or
 * reconnecting) when the browser has died, so one crash costs the episodes in flight, not the run.
 */
export interface BrowserProvider {
  /** A fresh isolated context (e.g. with a storage state for a logged-in site). */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  /** Browser name and version, for run manifests. */
  version(): Promise<string>;
  /** How many times the browser was (re)started. */
  readonly launches: number;
  close(): Promise<void>;
}

/**
 * Text observations need no images: not loading them saves a request per product on every
 * results and item page (on a closed network, a failing lookup each).
 */
export const NO_IMAGES_ARG = '--blink-settings=imagesEnabled=false';

const connect = async (source: BrowserSource): Promise<Browser> => {
  if (source.kind === 'launch') return launchChromium({ ...source, args: [NO_IMAGES_ARG, ...(source.args ?? [])] });
  const endpoint = source.kind === 'ws' ? source.wsEndpoint : source.cdpEndpoint;
  try {
    return source.kind === 'ws'
      ? await chromium.connect(source.wsEndpoint, { timeout: source.timeoutMs ?? 30_000 })
      : await chromium.connectOverCDP(source.cdpEndpoint, { timeout: source.timeoutMs ?? 30_000 });
  } catch (error) {
    throw new BrowserLaunchFailedError(`could not connect to the browser at ${endpoint}: ${(error as Error).message.split('\n')[0]}`, {
      cause: error,
      details: { endpoint },
    });
  }
};

export const createBrowserProvider = (source: BrowserSource = { kind: 'launch' }): BrowserProvider => {
  let current: Promise<Browser> | undefined;
  let closed = false;
  let launches = 0;

  const browser = async (): Promise<Browser> => {
    if (closed) throw new EnvClosedError('browser provider');
    const snapshot = current;
    if (snapshot) {
      const b = await snapshot.catch(() => undefined);
      if (closed) throw new EnvClosedError('browser provider');
      if (b?.isConnected()) return b;
      // Someone else already replaced the dead browser while we waited: use theirs.
      if (current !== snapshot) return browser();
    }
    launches += 1;
    current = connect(source);
    return current;
  };

  return {
    async newContext(options) {
      const b = await browser();
      let context: BrowserContext;
      try {
        context = await b.newContext(options);
      } catch (error) {
        // The browser may have died between the check and the call: one retry on a fresh one.
        if (b.isConnected()) throw error;
        context = await (await browser()).newContext(options);
      }
      // A page being made while its context closes would otherwise never settle.
      guardNewPage(context, () => undefined);
      return context;
    },
    async version() {
      const b = await browser();
      return `${b.browserType().name()} ${b.version()}`;
    },
    get launches() {
      return launches;
    },
    async close() {
      closed = true;
      const b = current ? await current.catch(() => undefined) : undefined;
      current = undefined;
      await cleanUp('browser', () => b?.close());
    },
  };
};
