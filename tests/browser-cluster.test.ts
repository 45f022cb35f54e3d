import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrowserCluster, type BrowserCluster } from '../adapters/browser/browser-cluster.js';
import type { BrowserProvider } from '../adapters/browser/browser-provider.js';
import { requireChromiumExecutable } from '../adapters/browser/executable.js';
import { defaultChromiumArgs } from '../adapters/browser/launch.js';
import { createWebShopEnvFactory } from '../adapters/webshop/webshop-env-factory.js';
import { WebShopEnv } from '../adapters/webshop/webshop-env.js';
import { createHeuristicWebShopPolicy } from '../adapters/webshop/webshop-heuristic-policy.js';
import { runEpisodes, type RunEvent } from '../harness/runner.js';
import type { EnvFactory } from '../src/env/index.js';
import type { Episode } from '../src/protocol/index.js';
import { openRunDirectory } from '../src/store/index.js';
import { startFixture, type FixtureHandle } from './helpers/webshop-fixture.js';

let fixture: FixtureHandle;
beforeAll(async () => {
  fixture = await startFixture({ seed: 0, size: 1000 });
});
afterAll(async () => {
  await fixture?.running.close();
});

const tasks = (first: number, count: number) => Array.from({ length: count }, (_, i) => ({ task_id: String(first + i), env: 'webshop' as const }));

/** This process's descendants, as [pid, command line] (browsers and their renderers). */
const descendants = (): Array<[number, string]> => {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  const mine = new Set([process.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parent) if (!mine.has(pid) && mine.has(ppid)) grew = mine.add(pid) !== undefined;
  }
  mine.delete(process.pid);
  return [...mine].map((pid) => {
    try {
      return [pid, readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')] as [number, string];
    } catch {
      return [pid, ''] as [number, string];
    }
  });
};
const chromiumProcesses = () => descendants().filter(([, cmd]) => /chrom|headless_shell/i.test(cmd));
/** Browsers Playwright launched (they talk to it over a pipe); not their renderers. */
const launchedBrowsers = () => chromiumProcesses().filter(([, cmd]) => cmd.includes('--remote-debugging-pipe'));

const until = async (check: () => boolean, ms = 20_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
};

/** Runs heuristic episodes in a fresh run directory; returns the episode lines in task order. */
const run = async (factory: EnvFactory, first: number, count: number, concurrency: number, onEvent?: (event: RunEvent) => void): Promise<Episode[]> => {
  const runDir = await openRunDirectory(mkdtempSync(join(tmpdir(), 'dreambridge-cluster-')));
  try {
    await runEpisodes({ envFactory: factory, policy: () => createHeuristicWebShopPolicy(), tasks: tasks(first, count), concurrency, runDir, runId: 'run-cluster', envName: 'webshop', ...(onEvent ? { onEvent } : {}) });
    return (await runDir.readEpisodes()).sort((a, b) => Number(a.task_id) - Number(b.task_id));
  } finally {
    await runDir.close();
  }
};

/** Counts the contexts it hands out that are still open, independently of the cluster. */
const counting = (inner: BrowserProvider) => {
  const seen = { open: 0, max: 0 };
  const provider: BrowserProvider = {
    async newContext(options) {
      const context = await inner.newContext(options);
      seen.open += 1;
      seen.max = Math.max(seen.max, seen.open);
      context.once('close', () => (seen.open -= 1));
      return context;
    },
    version: () => inner.version(),
    get launches() {
      return inner.launches;
    },
    close: () => inner.close(),
  };
  return { provider, seen };
};

const envFactoryOver = (provider: BrowserProvider): EnvFactory => ({
  source: 'real',
  create: async () => new WebShopEnv({ baseUrl: fixture.url, browser: provider }),
  close: () => provider.close(),
});

describe('browser cluster', () => {
  it('never has more than K contexts open, serves waiters in order, and runs real episodes K at a time', async () => {
    const cluster = createBrowserCluster({ concurrency: 2 });
    const { provider, seen } = counting(cluster);
    try {
      const [a, b] = await Promise.all([provider.newContext(), provider.newContext()]);
      const order: string[] = [];
      const waiters = ['c', 'd', 'e'].map((name) => provider.newContext().then((context) => (order.push(name), context)));
      await until(() => cluster.stats().queued === 3);
      await new Promise((r) => setTimeout(r, 300));
      expect(order).toEqual([]);
      expect(cluster.stats()).toMatchObject({ queued: 3, running: 2 });
      await a!.close();
      const c = await waiters[0]!;
      expect(order).toEqual(['c']);
      await b!.close();
      await c.close();
      await Promise.all((await Promise.all(waiters.slice(1))).map((context) => context.close()));
      expect(order).toEqual(['c', 'd', 'e']);
      await until(() => cluster.stats().done === 5);
      expect(cluster.stats()).toMatchObject({ queued: 0, running: 0, done: 5, errors: 0, contextsCreated: 5 });

      // Four runner workers over two slots: episodes wait for a context, never share one.
      const episodes = await run(envFactoryOver(provider), 1500, 4, 4);
      expect(episodes.map((e) => e.termination)).toEqual(Array(4).fill('done'));
      expect(seen.max).toBe(2);
      expect(cluster.stats()).toMatchObject({ queued: 0, running: 0, done: 9, errors: 0, contextsCreated: 9, browsersStarted: 1 });
    } finally {
      await cluster.close();
    }
  });

  it('gives every lease a fresh context: cookies of one episode are not seen by the next', async () => {
    const cluster = createBrowserCluster({ concurrency: 1, warm: 1 });
    try {
      const first = await cluster.newContext();
      const page = await first.newPage();
      await page.goto(`${fixture.url}/fixed_1500`);
      await page.evaluate('document.cookie = "seen=1; path=/"');
      expect(await first.cookies()).toHaveLength(1);
      await first.close();
      const second = await cluster.newContext();
      expect(second).not.toBe(first);
      const next = await second.newPage();
      await next.goto(`${fixture.url}/fixed_1500`);
      expect(await next.evaluate('document.cookie')).toBe('');
      expect(await second.cookies()).toEqual([]);
      await second.close();
    } finally {
      await cluster.close();
    }
  });

  it('restarts the browser after restartAfter contexts and closes the old one', async () => {
    const cluster = createBrowserCluster({ concurrency: 1, restartAfter: 2 });
    try {
      const browsers: Array<Browser | null> = [];
      for (let i = 0; i < 5; i += 1) {
        const context = await cluster.newContext();
        browsers.push(context.browser());
        await context.close();
      }
      const [b1, b2, b3] = [browsers[0], browsers[2], browsers[4]];
      expect(browsers).toEqual([b1, b1, b2, b2, b3]);
      expect(new Set([b1, b2, b3]).size).toBe(3);
      await until(() => !b1!.isConnected() && !b2!.isConnected());
      expect([b1!.isConnected(), b2!.isConnected(), b3!.isConnected()]).toEqual([false, false, true]);
      await until(() => launchedBrowsers().length === 1);
      expect(launchedBrowsers()).toHaveLength(1);
      await until(() => cluster.stats().done === 5);
      expect(cluster.stats()).toMatchObject({ browsersStarted: 3, contextsCreated: 5, done: 5, errors: 0 });
    } finally {
      await cluster.close();
    }
  });

  it('replaces a killed browser: the episodes in flight fail with a clear error, later ones complete', async () => {
    const factory = await createWebShopEnvFactory({ baseUrl: fixture.url, realConcurrency: 2 });
    let killed = 0;
    try {
      const episodes = await run(factory, 1500, 7, 2, (event) => {
        // Killed right after the first step of the third episode: its next step finds no browser.
        if (killed === 0 && event.type === 'step' && event.taskId === '1502' && event.step === 0 && !event.done) {
          for (const [pid] of launchedBrowsers()) process.kill(pid, 'SIGKILL');
          killed = 1;
        }
      });
      expect(killed).toBe(1);
      expect(episodes).toHaveLength(7);
      const failed = episodes.filter((e) => e.termination === 'error');
      expect(failed.length).toBeGreaterThanOrEqual(1);
      expect(failed.length).toBeLessThanOrEqual(3);
      for (const e of failed) expect(e.error).toMatch(/has been closed|disconnected|crashed|ENV_CLOSED/);
      expect(episodes.slice(-3).map((e) => e.termination)).toEqual(['done', 'done', 'done']);
      const stats = factory.cluster!.stats();
      expect(stats.browsersStarted).toBeGreaterThanOrEqual(2);
      expect(stats.errors).toBeGreaterThanOrEqual(1);
      expect(stats).toMatchObject({ queued: 0, running: 0 });
    } finally {
      await factory.close();
    }
  });

  it('ends a lease at episodeTimeoutMs: its context is closed, the next step fails with EPISODE_TIMEOUT, nothing is retried', async () => {
    const cluster = createBrowserCluster({ concurrency: 1, episodeTimeoutMs: 2500 });
    const { provider, seen } = counting(cluster);
    try {
      await cluster.version(); // the browser starts outside the lease being timed
      const env = new WebShopEnv({ baseUrl: fixture.url, browser: provider });
      const obs = await env.reset({ task_id: '1500', env: 'webshop' });
      expect(obs.page_type).toBe('search');
      expect(seen.open).toBe(1);
      await until(() => cluster.stats().done === 1);
      expect(seen.open).toBe(0);
      expect(cluster.stats()).toMatchObject({ running: 0, done: 1, errors: 1, contextsCreated: 1 });
      await expect(env.step('search[lamp]')).rejects.toMatchObject({ code: 'EPISODE_TIMEOUT', message: expect.stringContaining('2500 ms') });
      await env.close();
      // The slot is free again for the next episode; the expired lease was not run again.
      const next = new WebShopEnv({ baseUrl: fixture.url, browser: provider });
      await next.reset({ task_id: '1501', env: 'webshop' });
      expect((await next.step('search[lamp]')).observation.page_type).toBe('results');
      await next.close();
      await until(() => cluster.stats().done === 2);
      expect(cluster.stats()).toMatchObject({ done: 2, errors: 1, contextsCreated: 2 });
    } finally {
      await cluster.close();
    }
  });

  it('never retries a failed lease', async () => {
    const cluster = createBrowserCluster({ concurrency: 1, source: { kind: 'ws', wsEndpoint: 'ws://127.0.0.1:9/nothing', timeoutMs: 2000 } });
    try {
      await expect(cluster.newContext()).rejects.toMatchObject({ code: 'BROWSER_LAUNCH_FAILED', message: expect.stringContaining('ws://127.0.0.1:9/nothing') });
      await new Promise((r) => setTimeout(r, 300));
      expect(cluster.stats()).toEqual({ queued: 0, running: 0, done: 1, errors: 1, browsersStarted: 1, contextsCreated: 0 });
    } finally {
      await cluster.close();
    }
  });

  it('close() rejects the waiters, ends the leases and leaves no Chromium process', async () => {
    const cluster: BrowserCluster = createBrowserCluster({ concurrency: 1, warm: 1 });
    const leased = await cluster.newContext();
    const page = await leased.newPage();
    await page.goto(`${fixture.url}/fixed_1500`);
    const waiter = cluster.newContext().then(
      () => 'served',
      (error: unknown) => error,
    );
    await until(() => cluster.stats().queued === 1);
    expect(chromiumProcesses().length).toBeGreaterThan(0);
    await cluster.close();
    expect(await waiter).toMatchObject({ code: 'ENV_CLOSED' });
    await expect(cluster.newContext()).rejects.toMatchObject({ code: 'ENV_CLOSED' });
    await until(() => chromiumProcesses().length === 0);
    expect(chromiumProcesses()).toEqual([]);
    await expect(page.evaluate('1')).rejects.toThrow(/closed/);
  });

  it('leases contexts from a remote Playwright browser server over WebSocket', async () => {
    const server = await chromium.launchServer({ executablePath: requireChromiumExecutable(), args: [...defaultChromiumArgs] });
    try {
      const factory = await createWebShopEnvFactory({ baseUrl: fixture.url, browser: { kind: 'ws', wsEndpoint: server.wsEndpoint() }, realConcurrency: 2, restartAfter: 2 });
      try {
        const episodes = await run(factory, 1510, 3, 2);
        expect(episodes.map((e) => e.termination)).toEqual(['done', 'done', 'done']);
        expect(await factory.provider.version()).toMatch(/chromium/);
        // restartAfter 2 reconnects to the server: one connection per two contexts.
        expect(factory.cluster!.stats()).toMatchObject({ done: 3, errors: 0, contextsCreated: 3 });
        expect(factory.cluster!.stats().browsersStarted).toBeGreaterThanOrEqual(2);
      } finally {
        await factory.close();
      }
    } finally {
      await server.close();
    }
  });

  it('refuses cluster settings without realConcurrency', async () => {
    await expect(createWebShopEnvFactory({ baseUrl: fixture.url, restartAfter: 5 })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    expect(() => createBrowserCluster({ concurrency: 0 })).toThrow(/concurrency/);
  });
});
