import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWebShopEnvFactory } from '../adapters/webshop/webshop-env-factory.js';
import { createWebShopProfile } from '../adapters/webshop/webshop-profile.js';
import { startWebShop } from '../fixtures/webshop/server.js';
import { buildWebShopSite } from '../fixtures/webshop/webshop-site.js';
import { createHeuristicWebShopPolicy } from '../adapters/webshop/webshop-heuristic-policy.js';
import { runEpisodes } from '../harness/runner.js';
import { createDreamSetup } from '../src/dream/dream-setup.js';
import { syntheticTransitions } from './lib/bench-retrieval.js';
import { openRunDirectory } from '../src/store/index.js';
import { median, percentile } from './lib/stats.js';

export interface DreamOverheadReport {
  bufferSize: number;
  steps: number;
  /** Per dream step: policy + DreamEnv + retrieval (k = 4) + the transition line written. */
  medianMs: number;
  p95Ms: number;
}

/**
 * Harness overhead of a dream step with the embedded retrieval model over a buffer of
 * `bufferSize` transitions: real seeds collected from the local WebShop, padded with synthetic
 * WebShop-like transitions. Time per step = between consecutive step events of an episode
 * (policy decision, DreamEnv step with retrieval, the transition line appended).
 */
export const benchDreamOverhead = async (options: { bufferSize?: number; episodes?: number; seeds?: number } = {}): Promise<DreamOverheadReport> => {
  const bufferSize = options.bufferSize ?? 100_000;
  const dir = await mkdtemp(join(tmpdir(), 'dreambridge-bench-dream-'));
  try {
    const site = await buildWebShopSite({ seed: 0 });
    const fixture = await startWebShop(site, { port: 0 });
    const profile = createWebShopProfile({ goalCount: site.goals.length });
    const seedsDir = join(dir, 'seeds');
    const seedRun = await openRunDirectory(seedsDir);
    const factory = await createWebShopEnvFactory({ baseUrl: fixture.url, maxSteps: 15 });
    const seedTasks = profile.tasks('train').slice(0, options.seeds ?? 20);
    await runEpisodes({ envFactory: factory, policy: () => createHeuristicWebShopPolicy(), tasks: seedTasks, concurrency: 2, runDir: seedRun, runId: 'seeds', envName: 'webshop' });
    await seedRun.close();
    await factory.close();
    await fixture.close();

    const setup = await createDreamSetup({ env: 'webshop', profile, buffers: [seedsDir] });
    setup.buffer.appendAll(syntheticTransitions(Math.max(0, bufferSize - setup.buffer.size)));
    const tasks = setup.tasks();
    const runDir = await openRunDirectory(join(dir, 'dream'));
    const last = new Map<string, number>();
    const times: number[] = [];
    const episodes = options.episodes ?? 200;
    // Warm-up: the first queries trigger the index's IDF re-embedding of the grown corpus.
    await runEpisodes({ envFactory: setup.factory, policy: () => createHeuristicWebShopPolicy(), tasks: tasks.slice(0, 5), runDir, runId: 'warm', envName: 'webshop' });
    await runEpisodes({
      envFactory: setup.factory,
      policy: () => createHeuristicWebShopPolicy(),
      tasks: Array.from({ length: episodes }, (_, i) => tasks[i % tasks.length]!),
      runDir,
      runId: 'dream',
      envName: 'webshop',
      onEvent: (event) => {
        const now = performance.now();
        if (event.type === 'episode-start') last.set(event.episodeId, now);
        if (event.type === 'step') {
          const before = last.get(event.episodeId);
          if (before !== undefined) times.push(now - before);
          last.set(event.episodeId, now);
        }
      },
    });
    await runDir.close();
    await setup.close();
    times.sort((a, b) => a - b);
    return { bufferSize: setup.buffer.size, steps: times.length, medianMs: median(times), p95Ms: percentile(times, 95) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

export interface DreamConcurrencyReport {
  episodes: number;
  concurrency: number;
  latencyMs: number;
  steps: number;
  wallMs: number;
  stepsPerSecond: number;
  idealStepsPerSecond: number;
  ratio: number;
}

/**
 * Throughput of `concurrency` dream episodes at once against the test LLM server in its own
 * process answering after `latencyMs`: the ideal is concurrency / latency steps per second.
 */
export const benchDreamConcurrency = async (options: { concurrency?: number; latencyMs?: number; episodes?: number } = {}): Promise<DreamConcurrencyReport> => {
  const concurrency = options.concurrency ?? 64;
  const latencyMs = options.latencyMs ?? 200;
  const episodes = options.episodes ?? concurrency * 8;
  const { startLlmServerProcess } = await import('../fixtures/llm/llm-server-process.js');
  const server = await startLlmServerProcess({ latencyMs, preset: 'webshop-experience' });
  const dir = await mkdtemp(join(tmpdir(), 'dreambridge-bench-dream-llm-'));
  try {
    const profile = createWebShopProfile();
    const setup = await createDreamSetup({ env: 'webshop', profile, buffers: [], model: 'openai:scripted', modelBaseUrl: server.url, modelConcurrency: concurrency });
    const tasks = profile.tasks('train').slice(0, episodes).map((t, i) => ({ ...t, instruction: `i need item number ${i} with color: blue, and price lower than 40.00 dollars` }));
    const runDir = await openRunDirectory(join(dir, 'dream'));
    // Warm-up: connections and the first requests.
    await runEpisodes({ envFactory: setup.factory, policy: () => createHeuristicWebShopPolicy(), tasks: tasks.slice(0, concurrency), concurrency, runDir, runId: 'warm', envName: 'webshop' });
    let steps = 0;
    const started = performance.now();
    await runEpisodes({
      envFactory: setup.factory,
      policy: () => createHeuristicWebShopPolicy(),
      tasks,
      concurrency,
      runDir,
      runId: 'dream',
      envName: 'webshop',
      onEvent: (event) => {
        if (event.type === 'step') steps += 1;
      },
    });
    const wallMs = performance.now() - started;
    await runDir.close();
    await setup.close();
    const stepsPerSecond = steps / (wallMs / 1000);
    const idealStepsPerSecond = concurrency / (latencyMs / 1000);
    return { episodes, concurrency, latencyMs, steps, wallMs, stepsPerSecond, idealStepsPerSecond, ratio: stepsPerSecond / idealStepsPerSecond };
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
};
