import type { BrowserContext } from 'playwright-core';
import { cleanUp } from '../../src/env/clean-up.js';

/** True when the context's browser has disconnected; an expired context (its methods tombstoned) counts as still there. */
const browserGone = (context: BrowserContext): boolean => {
  try {
    return context.browser()?.isConnected() === false;
  } catch {
    // Tombstoned by expireContext: `close` still works on it, so try that.
    return false;
  }
};

/** How long a failed close waits to see whether the browser is shutting down under it. */
const SHUTDOWN_GRACE_MS = 1_000;

/** Whether the context's browser disconnects within `ms` (it was closing while we closed the context). */
const browserGoesWithin = (context: BrowserContext, ms: number): Promise<boolean> =>
  new Promise((resolve) => {
    let browser: ReturnType<BrowserContext['browser']>;
    try {
      browser = context.browser();
    } catch {
      resolve(false);
      return;
    }
    if (!browser || !browser.isConnected()) {
      resolve(true);
      return;
    }
    const gone = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      browser?.off('disconnected', gone);
      resolve(false);
    }, ms);
    browser.once('disconnected', gone);
  });

/**
 * Closes a browser context during clean-up, a failure logged (see `cleanUp`). A context whose
 * browser is already gone (crashed, or closed by Playwright's own SIGINT/SIGTERM handler) went
 * with it: closing it would only fail, so it is skipped rather than logged as an error. So is a
 * close that fails because the browser is shutting down at that moment (it disposed the context
 * itself, or disconnects right after): a shutdown racing the clean-up loses nothing.
 */
export const closeContext = async (resource: string, context: BrowserContext | undefined): Promise<void> => {
  if (context === undefined || browserGone(context)) return;
  await cleanUp(resource, async () => {
    try {
      await context.close();
    } catch (error) {
      if (/Failed to find context with id/.test((error as Error).message ?? '')) return;
      if (await browserGoesWithin(context, SHUTDOWN_GRACE_MS)) return;
      throw error;
    }
  });
};
