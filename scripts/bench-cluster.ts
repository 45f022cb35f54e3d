/**
 * Throughput of real WebShop episodes through the browser cluster (puppeteer-cluster leasing
 * Playwright contexts) against the plain shared-browser factory, in the same run, on the local
 * fixture served by a separate process (as a real site would be): heuristic policy, `runEpisodes`
 * into a temporary run directory, steps per second over the whole run.
 * Usage: npx tsx scripts/bench-cluster.ts [--episodes N] [--warm W] ; prints JSON.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createBrowserCluster } from '../adapters/browser/browser-cluster.js';
import { createWebShopEnvFactory } from '../adapters/webshop/webshop-env-factory.js';
import { WebShopEnv } from '../adapters/webshop/webshop-env.js';
import { createHeuristicWebShopPolicy } from '../adapters/webshop/webshop-heuristic-policy.js';
import { runEpisodes } from '../harness/runner.js';
import type { EnvFactory } from '../src/env/index.js';
import { openRunDirectory } from '../src/store/index.js';
import { startFixtureProcess } from './bench-webshop-adapter.js';

export interface ClusterBenchOptions {
  /** Episodes per measured run. Default: 16. */
  episodes?: number;
  /** Concurrencies tried for both paths (the best of each is compared). Default: [1, 2, 4]. */
  concurrency?: number[];
  /** Measured runs per path and concurrency, interleaved (A B B A …) to cancel drift. Default: 2. */
  rounds?: number;
  /** The cluster's `warm` (contexts made ahead). Default: the cluster's own default. */
  warm?: number;
}

export interface ThroughputPoint {
  concurrency: number;
  stepsPerSecond: number;
}

export interface ClusterBenchResult {
  /** The plain factory at its best concurrency. */
  adapterBest: ThroughputPoint;
  /** The cluster factory at its best concurrency. */
  cluster: ThroughputPoint;
  /** cluster / adapterBest (target ≥ 0.9). */
  ratio: number;
  /** Mean steps/s per path and concurrency. */
  points: Array<ThroughputPoint & { path: 'adapter' | 'cluster' }>;
}

type Path = 'adapter' | 'cluster';

/** The plain factory, the cluster factory, or (to try `warm`, which the factory does not take) a cluster-backed one. */
const factoryFor = async (baseUrl: string, path: Path, k: number, warm: number | undefined): Promise<EnvFactory> => {
  if (path === 'adapter') return createWebShopEnvFactory({ baseUrl });
  if (warm === undefined) return createWebShopEnvFactory({ baseUrl, realConcurrency: k });
  const cluster = createBrowserCluster({ concurrency: k, warm });
  return { source: 'real', create: async () => new WebShopEnv({ baseUrl, browser: cluster }), close: () => cluster.close() };
};

/** One measured run on a fresh factory: a warm-up episode per worker (browser start, caches), then `episodes` episodes. */
const measure = async (baseUrl: string, path: Path, k: number, episodes: number, warm: number | undefined): Promise<number> => {
  const factory = await factoryFor(baseUrl, path, k, warm);
  try {
    return await runOnce(factory, k, episodes);
  } finally {
    await factory.close();
  }
};

const runOnce = async (factory: EnvFactory, k: number, episodes: number): Promise<number> => {
  const dir = mkdtempSync(join(tmpdir(), 'dreambridge-bench-cluster-'));
  try {
    const go = async (first: number, count: number) => {
      const runDir = await openRunDirectory(join(dir, `run-${first}`));
      try {
        const tasks = Array.from({ length: count }, (_, i) => ({ task_id: String(first + i), env: 'webshop' as const }));
        return await runEpisodes({ envFactory: factory, policy: () => createHeuristicWebShopPolicy(), tasks, concurrency: k, runDir, runId: `bench-${first}`, envName: 'webshop' });
      } finally {
        await runDir.close();
      }
    };
    await go(1500, k);
    const summary = await go(1600, episodes);
    if (summary.failedEpisodes > 0) throw new Error(`bench-cluster: ${summary.failedEpisodes} episodes failed`);
    return summary.steps / (summary.wallMs / 1000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

export const benchCluster = async (options: ClusterBenchOptions = {}): Promise<ClusterBenchResult> => {
  const episodes = options.episodes ?? 16;
  const rounds = options.rounds ?? 2;
  const fixture = await startFixtureProcess();
  const points: ClusterBenchResult['points'] = [];
  try {
    for (const k of options.concurrency ?? [1, 2, 4]) {
      const samples: Record<Path, number[]> = { adapter: [], cluster: [] };
      for (let round = 0; round < rounds; round += 1) {
        const order: Path[] = round % 2 === 0 ? ['adapter', 'cluster'] : ['cluster', 'adapter'];
        for (const path of order) samples[path].push(await measure(fixture.url, path, k, episodes, options.warm));
      }
      for (const path of ['adapter', 'cluster'] as const) {
        points.push({ path, concurrency: k, stepsPerSecond: mean(samples[path]) });
        console.error(`  bench-cluster: ${path} K=${k}: ${samples[path].map((s) => s.toFixed(2)).join(', ')} steps/s`);
      }
    }
  } finally {
    fixture.child.kill('SIGTERM');
  }
  const best = (path: Path): ThroughputPoint => {
    const top = points.filter((p) => p.path === path).reduce((a, b) => (b.stepsPerSecond > a.stepsPerSecond ? b : a));
    return { concurrency: top.concurrency, stepsPerSecond: top.stepsPerSecond };
  };
  const adapterBest = best('adapter');
  const cluster = best('cluster');
  return { adapterBest, cluster, ratio: cluster.stepsPerSecond / adapterBest.stepsPerSecond, points };
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const flag = (name: string): number | undefined => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const episodes = flag('--episodes');
  const warm = flag('--warm');
  const result = await benchCluster({ ...(episodes === undefined ? {} : { episodes }), ...(warm === undefined ? {} : { warm }) });
  console.log(JSON.stringify(result, null, 2));
}
