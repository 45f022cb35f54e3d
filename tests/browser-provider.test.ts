import { EventEmitter } from 'node:events';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createBrowserProvider } from '../adapters/browser/browser-provider.js';
import { guardNewPage } from '../adapters/browser/context-expiry.js';
import { DreambridgeError, EnvClosedError } from '../src/env/errors.js';

/** A context whose `newPage()` never settles, as Playwright's does when the context closes mid-call. */
const hangingContext = (): BrowserContext & EventEmitter => {
  const context = new EventEmitter() as BrowserContext & EventEmitter;
  Object.assign(context, { newPage: () => new Promise<Page>(() => undefined) });
  return context;
};

describe('the browser provider', () => {
  it('guards newPage: a call in flight when its context closes rejects ENV_CLOSED, or with the lease reason', async () => {
    const plain = hangingContext();
    guardNewPage(plain, () => undefined);
    const pending = plain.newPage();
    plain.emit('close');
    await expect(pending).rejects.toBeInstanceOf(EnvClosedError);

    const leased = hangingContext();
    const why = new DreambridgeError('EPISODE_TIMEOUT', 'lease ran out');
    guardNewPage(leased, () => why);
    const cut = leased.newPage();
    leased.emit('close');
    await expect(cut).rejects.toBe(why);
    // Once closed, a new call fails at once too.
    await expect(leased.newPage()).rejects.toBe(why);
  });

  it("rejects ENV_CLOSED (not Playwright's generic error) for a page asked of a context already closed", async () => {
    const provider = createBrowserProvider();
    try {
      const context = await provider.newContext();
      await context.close();
      await expect(context.newPage()).rejects.toMatchObject({ code: 'ENV_CLOSED' });
    } finally {
      await provider.close();
    }
  }, 60_000);

  it('fails a page being made when its context closes, instead of hanging (a reset cut by a closing env)', async () => {
    const provider = createBrowserProvider();
    try {
      // Warm the browser so the race is between newPage and close, not the launch.
      await (await provider.newContext()).close();
      for (let i = 0; i < 5; i += 1) {
        const context = await provider.newContext();
        const page = context.newPage();
        const closing = context.close();
        const started = Date.now();
        const outcome = await page.then(
          (made) => ({ made }),
          (error: unknown) => ({ error }),
        );
        await closing;
        // Which side wins is Chromium's race; each outcome is checked exactly, and it never hangs.
        if ('made' in outcome) expect(outcome.made.isClosed()).toBe(true);
        else expect(outcome.error).toBeInstanceOf(EnvClosedError);
        expect(Date.now() - started).toBeLessThan(5000);
      }
    } finally {
      await provider.close();
    }
  }, 60_000);
});
