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

/**
 * Closes a browser context during clean-up, a failure logged (see `cleanUp`). A context whose
 * browser is already gone (crashed, or closed by Playwright's own SIGINT/SIGTERM handler) went
 * with it: closing it would only fail, so it is skipped rather than logged as an error.
 */
export const closeContext = async (resource: string, context: BrowserContext | undefined): Promise<void> => {
  if (context === undefined || browserGone(context)) return;
  await cleanUp(resource, () => context.close());
};
