import type { BrowserContext, BrowserContextOptions } from 'playwright-core';
import type { BrowserProvider } from './browser-provider.js';
import { closeContext } from './close-context.js';

export interface WarmContextProvider extends BrowserProvider {
  /** Launches the browser and fills the pool, so the first reset pays neither. */
  start(): Promise<void>;
  /** Contexts handed out and not closed yet (0 when every session is closed: nothing leaked). */
  openContexts(): number;
  /** Fresh contexts ready in the pool. */
  warmContexts(): number;
}

const isDefault = (options: BrowserContextOptions | undefined): boolean => options === undefined || Object.keys(options).length === 0;

/**
 * A pool of fresh browser contexts made ahead of demand for the server's real sessions: a reset
 * takes a ready one (never one used before) and the pool refills in the background. It also
 * counts the contexts handed out and not closed, which is how the soak checks that closed and
 * reaped sessions leak no context.
 */
export const createWarmContextProvider = (inner: BrowserProvider, options: { warm: number }): WarmContextProvider => {
  const ready: BrowserContext[] = [];
  let filling = 0;
  let open = 0;
  let closed = false;

  const handOut = (context: BrowserContext): BrowserContext => {
    open += 1;
    context.once('close', () => (open -= 1));
    return context;
  };
  const usable = (context: BrowserContext): boolean => context.browser()?.isConnected() ?? false;
  const refill = (): void => {
    while (!closed && ready.length + filling < options.warm) {
      filling += 1;
      inner.newContext().then(
        (context) => {
          filling -= 1;
          if (closed) void closeContext('warm browser context', context);
          else ready.push(context);
        },
        () => {
          // A failed warm-up is not an error: the next reset makes its own context.
          filling -= 1;
        },
      );
    }
  };

  return {
    async start() {
      await inner.version();
      refill();
    },
    async newContext(contextOptions) {
      if (isDefault(contextOptions)) {
        while (ready.length > 0) {
          const context = ready.shift()!;
          if (usable(context)) {
            refill();
            return handOut(context);
          }
          // Its browser is gone (crashed, or killed by a signal) and the context with it: nothing to close.
        }
      }
      const context = await inner.newContext(contextOptions);
      refill();
      return handOut(context);
    },
    version: () => inner.version(),
    get launches() {
      return inner.launches;
    },
    openContexts: () => open,
    warmContexts: () => ready.length,
    async close() {
      closed = true;
      await Promise.all(ready.splice(0).map((c) => closeContext('warm browser context', c)));
      await inner.close();
    },
  };
};
