import { describe, expect, it } from 'vitest';
import { createBrowserProvider } from '../adapters/browser/browser-provider.js';

describe('the browser provider', () => {
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
          () => 'page',
          (error: unknown) => (error as { code?: string }).code ?? (error as Error).message,
        );
        await closing;
        // Either the page won the race or the call failed at once; it never hangs.
        expect(['page', 'ENV_CLOSED']).toContain(outcome);
        expect(Date.now() - started).toBeLessThan(5000);
      }
    } finally {
      await provider.close();
    }
  }, 60_000);
});
