import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { BrowserContext } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { browserEndpointsOf, parseBrowserEndpointsText } from '../adapters/browser/browser-endpoints.js';
import { createBrowserFarm, farmRetryDelayMs, type BrowserFarm } from '../adapters/browser/browser-farm.js';
import { supplyContexts } from '../adapters/browser/context-supply.js';
import { startBrowserServers, type TestBrowserServer } from './helpers/browser-servers.js';

/** What the farm logged, for checking take-outs and returns. */
const recorder = () => {
  const lines: Array<{ level: 'warn' | 'info'; msg: string; fields: Record<string, unknown> }> = [];
  return {
    lines,
    logger: {
      warn: (fields: Record<string, unknown>, msg: string) => lines.push({ level: 'warn', msg, fields }),
      info: (fields: Record<string, unknown>, msg: string) => lines.push({ level: 'info', msg, fields }),
    } as unknown as Pick<Logger, 'warn' | 'info'>,
  };
};

const until = async (what: string, probe: () => boolean, timeoutMs = 20_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

let servers: TestBrowserServer[] = [];
const farms: BrowserFarm[] = [];
afterEach(async () => {
  await Promise.all(farms.splice(0).map((f) => f.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const openOf = (farm: BrowserFarm): number[] => farm.stats().map((s) => s.open);

describe('browser farm', () => {
  it('spreads contexts over its endpoints by load: the one with the fewest open contexts gets the next', async () => {
    servers = await startBrowserServers(3);
    const { logger } = recorder();
    const farm = createBrowserFarm({ endpoints: servers.map((s) => s.endpoint), logger });
    farms.push(farm);
    expect(await farm.version()).toMatch(/chromium/i);
    // Asked for at once: counted while being made, so they spread instead of piling on one.
    const contexts = await Promise.all(Array.from({ length: 6 }, () => farm.newContext()));
    expect(openOf(farm)).toEqual([2, 2, 2]);
    // Each context really lives on a browser of its endpoint: a page works.
    const page = await contexts[0]!.newPage();
    await page.setContent('<p>farm</p>');
    expect(await page.textContent('p')).toBe('farm');
    // Free two on the second endpoint: the next two go there.
    const onSecond = contexts.filter((_, i) => i % 3 === 1);
    await Promise.all(onSecond.map((c) => c.close()));
    expect(openOf(farm)).toEqual([2, 0, 2]);
    const more = [await farm.newContext(), await farm.newContext()];
    expect(openOf(farm)).toEqual([2, 2, 2]);
    expect(farm.stats().map((s) => s.contexts)).toEqual([2, 4, 2]);
    await Promise.all([...contexts, ...more].map((c) => c.close().catch(() => undefined)));
    expect(openOf(farm)).toEqual([0, 0, 0]);
  }, 60_000);

  it('a killed endpoint is taken out at once, the others take its share, and it is back after a background retry', async () => {
    servers = await startBrowserServers(2);
    const { logger, lines } = recorder();
    const farm = createBrowserFarm({ endpoints: servers.map((s) => s.endpoint), logger, retryInitialMs: 300, retryMaxMs: 600 });
    farms.push(farm);
    const first = await Promise.all(Array.from({ length: 4 }, () => farm.newContext()));
    expect(openOf(farm)).toEqual([2, 2]);
    await servers[0]!.kill();
    await until('the dead endpoint taken out', () => farm.stats()[0]!.state === 'down');
    // Its contexts died with it; the other endpoint's are untouched.
    expect(farm.stats()[0]!.open).toBe(0);
    expect(lines.some((l) => l.level === 'warn' && /taken out/.test(l.msg) && l.fields['endpoint'] === servers[0]!.endpoint)).toBe(true);
    // Every new context goes to the live endpoint, none fails.
    const during = await Promise.all(Array.from({ length: 3 }, () => farm.newContext()));
    expect(openOf(farm)).toEqual([0, 5]);
    // Retried in the background while down (1 attempt every 300–600 ms), it never blocks a request.
    await until('a few retries', () => farm.stats()[0]!.retries >= 2);
    expect(farm.stats()[0]!.state).toBe('down');
    await servers[0]!.restart();
    await until('the endpoint back', () => farm.stats()[0]!.state === 'up', 10_000);
    expect(lines.some((l) => l.level === 'info' && /back in the farm/.test(l.msg))).toBe(true);
    // Back with no load: it gets the next contexts.
    const after = [await farm.newContext(), await farm.newContext()];
    expect(openOf(farm)).toEqual([2, 5]);
    expect(farm.stats()[0]).toMatchObject({ downs: 1, contexts: 4 });
    await Promise.all([...first, ...during, ...after].map((c: BrowserContext) => c.close().catch(() => undefined)));
  }, 60_000);

  it('every endpoint dead: a request waits for one to return, then fails with BROWSER_FARM_UNAVAILABLE naming each', async () => {
    servers = await startBrowserServers(2);
    const farm = createBrowserFarm({ endpoints: servers.map((s) => s.endpoint), logger: recorder().logger, retryInitialMs: 200, unavailableAfterMs: 1500 });
    farms.push(farm);
    await (await farm.newContext()).close();
    await Promise.all(servers.map((s) => s.kill()));
    const started = Date.now();
    const failure = farm.newContext();
    await expect(failure).rejects.toMatchObject({ code: 'BROWSER_FARM_UNAVAILABLE', message: expect.stringContaining(servers[0]!.endpoint) });
    await expect(failure).rejects.toThrow(servers[1]!.endpoint);
    // It waited for a return (not failed at the first refusal), within the configured wait.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    // The outage is known now: the next request fails at once.
    const again = Date.now();
    await expect(farm.newContext()).rejects.toMatchObject({ code: 'BROWSER_FARM_UNAVAILABLE' });
    expect(Date.now() - again).toBeLessThan(1000);
    // One coming back ends the outage.
    await servers[1]!.restart();
    await until('the endpoint back', () => farm.stats()[1]!.state === 'up', 10_000);
    await (await farm.newContext()).close();
  }, 60_000);

  it('a request waiting in an outage gets a context as soon as an endpoint returns', async () => {
    servers = await startBrowserServers(1);
    const farm = createBrowserFarm({ endpoints: [servers[0]!.endpoint, 'ws://127.0.0.1:9/none'], logger: recorder().logger, retryInitialMs: 200, retryMaxMs: 200, unavailableAfterMs: 30_000 });
    farms.push(farm);
    // The unreachable one is found dead at the start, not by an episode.
    await farm.version();
    expect(farm.stats()[1]!.state).toBe('down');
    await servers[0]!.kill();
    // The request itself finds the last endpoint dead (no context of its was open to say so), takes it out and waits.
    const waiting = farm.newContext();
    await until('both down', () => farm.stats().every((s) => s.state === 'down'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    await servers[0]!.restart();
    const context = await waiting;
    expect(farm.stats()[0]!.open).toBe(1);
    await context.close();
  }, 60_000);

  it('every endpoint dead at the start: a clear error before any episode', async () => {
    const farm = createBrowserFarm({ endpoints: ['ws://127.0.0.1:9/a', 'ws://127.0.0.1:9/b'], logger: recorder().logger, connectTimeoutMs: 3000 });
    farms.push(farm);
    await expect(farm.version()).rejects.toMatchObject({ code: 'BROWSER_FARM_UNAVAILABLE', message: expect.stringMatching(/ws:\/\/127\.0\.0\.1:9\/a.*ws:\/\/127\.0\.0\.1:9\/b/) });
  }, 30_000);

  it('the worker cluster over a farm: after an endpoint is killed every later lease gets a working context from the others', async () => {
    servers = await startBrowserServers(2);
    const { logger, lines } = recorder();
    const supplied = supplyContexts({ ws: servers.map((s) => s.endpoint) }, { kind: 'cluster', concurrency: 2, restartAfter: 2 }, logger);
    try {
      await supplied.start();
      const firstTwo = await Promise.all([supplied.provider.newContext(), supplied.provider.newContext()]);
      expect(new Set(firstTwo.map((c) => c.browser())).size).toBe(2);
      await servers[0]!.kill();
      await until('the endpoint taken out', () => lines.some((l) => /taken out/.test(l.msg)));
      await Promise.all(firstTwo.map((c) => c.close().catch(() => undefined)));
      // Generations restart every 2 contexts (restartAfter): the farm still knows the dead endpoint, no lease tries it.
      for (let i = 0; i < 6; i += 1) {
        const context = await supplied.provider.newContext();
        const page = await context.newPage();
        await page.setContent(`<p>${i}</p>`);
        expect(await page.textContent('p')).toBe(String(i));
        await context.close();
      }
      expect(lines.filter((l) => /taken out/.test(l.msg))).toHaveLength(1);
    } finally {
      await supplied.provider.close();
    }
  }, 60_000);

  it('backs off by doubling up to its maximum', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => farmRetryDelayMs(n, 1000, 30_000))).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });
});

describe('browser endpoints from flags', () => {
  it('reads --browser-ws (repeatable) and --browser-ws-file (comments and blank lines skipped)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dreambridge-endpoints-'));
    const file = join(dir, 'farm.txt');
    writeFileSync(file, '# the farm\nws://10.0.0.2:3000/a\n\n  ws://10.0.0.3:3000/b  \n');
    expect(browserEndpointsOf({ ws: ['ws://10.0.0.1:3000/x'], wsFile: file })).toEqual(['ws://10.0.0.1:3000/x', 'ws://10.0.0.2:3000/a', 'ws://10.0.0.3:3000/b']);
    expect(browserEndpointsOf({ ws: 'ws://10.0.0.1:3000/x' })).toEqual(['ws://10.0.0.1:3000/x']);
  });

  it('refuses a bad line (by number), an empty file, a missing file, a duplicate, and a non-ws URL', () => {
    expect(() => parseBrowserEndpointsText('ws://a:1/x\nhttp://b:2/y\n', 'farm.txt')).toThrow(/farm\.txt line 2: "http:\/\/b:2\/y" is not a ws:\/\/ or wss:\/\/ URL/);
    expect(() => parseBrowserEndpointsText('# nothing\n\n', 'farm.txt')).toThrow(/no endpoint/);
    expect(() => browserEndpointsOf({ wsFile: '/nonexistent/farm.txt' })).toThrow(/--browser-ws-file \/nonexistent\/farm\.txt: cannot be read \(ENOENT\)/);
    expect(() => browserEndpointsOf({ ws: ['ws://a:1/x', 'ws://a:1/x'] })).toThrow(/listed twice/);
    expect(() => browserEndpointsOf({ ws: ['not a url'] })).toThrow(/--browser-ws: "not a url" is not a URL/);
  });
});
