/**
 * The http transport's benchmark (`npm run bench`): step latency p50/p95 per action kind,
 * throughput at concurrency 1–32 against the browser path's best measured in the same run (the
 * fixture in its own process, as a real site would be), and the wall time of an s2r run's 5,000
 * real interactions under the cap over http.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Env, EnvFactory } from '../src/env/env.js';
import type { HistoryEntry } from '../src/env/policy.js';
import type { Observation } from '../src/protocol/index.js';
import { createWebShopEnvFactory } from '../adapters/webshop/webshop-env-factory.js';
import { createHeuristicWebShopPolicy } from '../adapters/webshop/webshop-heuristic-policy.js';
import { createWebShopHttpEnvFactory } from '../adapters/webshop/webshop-http-env-factory.js';
import type { HttpNavigation } from '../adapters/http/html-form-submission.js';
import { createHttpAgent, HttpSession } from '../adapters/http/http-session.js';
import { request, type Agent, type Dispatcher } from 'undici';
import { createWebShopTourPolicy } from '../adapters/webshop/webshop-tour-policy.js';
import { startFixtureProcess } from './bench-webshop-adapter.js';
import { median, percentile } from './lib/stats.js';

const root = fileURLToPath(new URL('../', import.meta.url));

/** The kind of a step for the latency table. */
const kindOf = (action: string, before: Observation, after: Observation): string => {
  if (after.last_action_error !== undefined) return 'invalid';
  if (action.startsWith('search[')) return 'search';
  if (before.page_type === 'results' && after.page_type === 'item') return 'product';
  if (after.page_type === 'item_sub') return 'sub-page';
  if (after.page_type === 'done') return 'buy';
  if (before.page_type === 'item' && after.page_type === 'item') return 'option';
  return action.slice(6, -1).replace(/^(< prev|next >|back to search)$/, '$1');
};

const runEpisode = async (env: Env, goal: number, policyOf: typeof createWebShopTourPolicy, sid: string, onStep: (kind: string, ms: number) => void): Promise<void> => {
  const task = { task_id: String(goal), env: 'webshop' as const, config: { session_id: sid } };
  const policy = policyOf();
  let observation = await env.reset(task);
  const history: HistoryEntry[] = [];
  for (let i = 0; i < 40; i += 1) {
    const { action } = await policy.act(observation, history, task).catch(() => ({ action: '' }));
    if (!action) return;
    const started = performance.now();
    const result = await env.step(action);
    onStep(kindOf(action, observation, result.observation), performance.now() - started);
    history.push({ observation, action, reward: result.reward });
    observation = result.observation;
    if (result.done || result.truncated) return;
  }
};

/** Steps per second with k workers running heuristic episodes for `durationMs`. */
const throughput = async (factory: EnvFactory, k: number, durationMs: number): Promise<number> => {
  let steps = 0;
  const until = performance.now() + durationMs;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: k }, async (_, w) => {
      for (let round = 0; performance.now() < until; round += 1) {
        const env = await factory.create();
        try {
          await runEpisode(env, 1500 + ((w * 7 + round) % 500), createHeuristicWebShopPolicy, `tp${k}-${w}-${round}-fixed_${1500 + ((w * 7 + round) % 500)}`, () => (steps += 1));
        } finally {
          await env.close();
        }
      }
    }),
  );
  return steps / ((performance.now() - started) / 1000);
};

/** Wall time of `run --schedule s2r --transport http` spending `cap` real interactions. */
const s2rWall = async (cap: number, concurrency: number): Promise<{ wallS: number; reported: string }> => {
  const dir = mkdtempSync(join(tmpdir(), 'db-bench-http-'));
  const cli = (args: string[]) =>
    new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['bin/dreambridge.js', ...args], { cwd: root, env: { ...process.env, DREAMBRIDGE_LOG_LEVEL: 'error' } });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`dreambridge ${args[0]} exited ${code}`))));
    });
  try {
    await cli(['collect', '--env', 'webshop', '--fixture', '--transport', 'http', '--episodes', '20', '--out', join(dir, 'buffer')]);
    const started = performance.now();
    const out = await cli(['run', '--env', 'webshop', '--fixture', '--transport', 'http', '--schedule', 's2r', '--buffer', join(dir, 'buffer'), '--dream-episodes', '0', '--real-cap', String(cap), '--episodes', String(cap), '--concurrency', String(concurrency), '--out', join(dir, 'run')]);
    return { wallS: (performance.now() - started) / 1000, reported: out.split('\n').find((l) => l.includes('real interactions')) ?? '' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

/**
 * The bare-HTTP floor of a step: the same requests (a POST's redirect followed) with the body
 * read and nothing parsed, on a keep-alive agent of its own: what any HTTP client pays.
 */
const floorOf = async (agent: Agent, navigations: HttpNavigation[]): Promise<number> => {
  const started = performance.now();
  for (const start of navigations) {
    let next: HttpNavigation | undefined = start;
    while (next) {
      const response: Dispatcher.ResponseData = await request(next.url, { method: next.method, dispatcher: agent, ...(next.method === 'POST' ? { body: next.body ?? '', headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {}) });
      const location: unknown = response.headers['location'];
      if (response.statusCode >= 300 && response.statusCode < 400 && typeof location === 'string') {
        await response.body.dump();
        next = { method: 'GET', url: new URL(location, next.url).href };
      } else {
        await response.body.text();
        next = undefined;
      }
    }
  }
  return performance.now() - started;
};

/** Records the navigations each http step makes (the bench only: the session's own method, wrapped). */
const recordNavigations = (): { take: () => HttpNavigation[]; restore: () => void } => {
  const original = HttpSession.prototype.navigate;
  let taken: HttpNavigation[] = [];
  HttpSession.prototype.navigate = function (this: HttpSession, navigation, signal) {
    taken.push(navigation);
    return original.call(this, navigation, signal);
  };
  return {
    take: () => {
      const out = taken;
      taken = [];
      return out;
    },
    restore: () => {
      HttpSession.prototype.navigate = original;
    },
  };
};

export interface HttpTransportBench {
  /** Per action kind: the http step, and the bare-HTTP floor of the same requests measured alternately in the same run. */
  kinds: Record<string, { http_p50_ms: number; http_p95_ms: number; floor_p50_ms: number; ratio_p50: number; n: number }>;
  http_throughput: Record<string, number>;
  browser_throughput: Record<string, number>;
  best_ratio: number;
  s2r: { cap: number; wall_s: number; reported: string };
}

export const benchHttpTransport = async (options: { tours?: number; throughputMs?: number; s2rCap?: number } = {}): Promise<HttpTransportBench> => {
  const fixture = await startFixtureProcess();
  try {
    const http = await createWebShopHttpEnvFactory({ baseUrl: fixture.url, maxSteps: 40, connections: 32 });
    const samples = new Map<string, number[]>();
    const floors = new Map<string, number[]>();
    const floorAgent = createHttpAgent({ connections: 4 });
    const recorder = recordNavigations();
    const steps: Array<{ kind: string; navigations: HttpNavigation[] }> = [];
    try {
      for (let i = 0; i < (options.tours ?? 40); i += 1) {
        const env = await http.create();
        recorder.take();
        await runEpisode(env, 1500 + i, i % 2 === 0 ? createWebShopTourPolicy : createHeuristicWebShopPolicy, `lat-${i}-fixed_${1500 + i}`, (kind, ms) => {
          samples.set(kind, [...(samples.get(kind) ?? []), ms]);
          steps.push({ kind, navigations: recorder.take() });
        });
        await env.close();
        // The floor of this episode's steps right after it, so both see the same machine state.
        for (const step of steps.splice(0)) floors.set(step.kind, [...(floors.get(step.kind) ?? []), step.navigations.length === 0 ? 0 : await floorOf(floorAgent, step.navigations)]);
      }
    } finally {
      recorder.restore();
      await floorAgent.close();
    }
    const kinds = Object.fromEntries(
      [...samples].map(([kind, s]) => {
        const floor = median(floors.get(kind) ?? [0]);
        return [kind, { http_p50_ms: median(s), http_p95_ms: percentile(s, 95), floor_p50_ms: floor, ratio_p50: floor > 0 ? median(s) / floor : 1, n: s.length }];
      }),
    );
    const durationMs = options.throughputMs ?? 4000;
    const httpThroughput: Record<string, number> = {};
    for (const k of [1, 2, 4, 8, 16, 32]) httpThroughput[k] = await throughput(http, k, durationMs);
    await http.close();
    const browserThroughput: Record<string, number> = {};
    for (const k of [1, 2, 4, 8]) {
      const browser = await createWebShopEnvFactory({ baseUrl: fixture.url, maxSteps: 40, realConcurrency: k });
      browserThroughput[k] = await throughput(browser, k, durationMs);
      await browser.close();
    }
    const best = (t: Record<string, number>) => Math.max(...Object.values(t));
    const cap = options.s2rCap ?? 5000;
    const s2r = await s2rWall(cap, 16);
    return { kinds, http_throughput: httpThroughput, browser_throughput: browserThroughput, best_ratio: best(httpThroughput) / best(browserThroughput), s2r: { cap, wall_s: s2r.wallS, reported: s2r.reported } };
  } finally {
    fixture.child.kill('SIGTERM');
  }
};
