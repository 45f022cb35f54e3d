import { afterEach, describe, expect, it } from 'vitest';
import { closeContext } from '../adapters/browser/close-context.js';
import { launchChromium } from '../adapters/browser/launch.js';
import { setCleanUpLogger } from '../src/env/clean-up.js';

afterEach(() => setCleanUpLogger(undefined));

describe('closing contexts while their browser shuts down', () => {
  it('logs no clean-up failure for contexts whose browser closes under them', async () => {
    const warnings: unknown[] = [];
    setCleanUpLogger({ warn: (...args: unknown[]) => void warnings.push(args) } as never);
    for (let round = 0; round < 3; round += 1) {
      const browser = await launchChromium();
      const contexts = await Promise.all(Array.from({ length: 6 }, () => browser.newContext()));
      await Promise.all(contexts.map((c) => c.newPage()));
      // The shutdown and the clean-up race, as at the end of a stress run.
      const closing = browser.close();
      await Promise.all(contexts.map((c) => closeContext('warm browser context', c)));
      await closing;
    }
    expect(warnings).toEqual([]);
  }, 60_000);

  it('still closes a context whose browser is alive', async () => {
    const browser = await launchChromium();
    try {
      const context = await browser.newContext();
      await closeContext('context', context);
      expect(browser.contexts()).toHaveLength(0);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
