/**
 * What the environment server adds to a step: the WS round trip of a dream step with a
 * zero-latency experience model (JSON both ways, the session queue, the transition line written
 * to the run directory) against the same DreamEnv stepped in-process. Target: ≤ 1 ms median added.
 * Usage: tsx scripts/bench-server.ts [--steps N]   (or import benchServerRoundTrip)
 */
import { pathToFileURL } from 'node:url';
import { createWebShopProfile } from '../adapters/webshop/webshop-profile.js';
import { DreamEnv } from '../src/dream/dream-env.js';
import type { Env } from '../src/env/env.js';
import { startDreamServer, WsClient } from '../tests/helpers/server-client.js';
import { createToyWebShopModel, DREAM_TASKS } from '../tests/helpers/server-dream.js';
import { percentile } from '../tests/helpers/server-load.js';

export interface ServerRoundTripBench {
  steps: number;
  inProcess: { median: number; p99: number };
  websocket: { median: number; p99: number };
  /** Median WS round trip minus median in-process step, ms. */
  addedMedianMs: number;
}

/** The episode's actions in turn (search, product, buy), then a new episode (resets not timed). */
const ACTIONS = ['search[brass desk lamp]', 'click[b0abcdefgh]', 'click[buy now]'];

const timeInProcess = async (env: Env, steps: number): Promise<number[]> => {
  const samples: number[] = [];
  const task = DREAM_TASKS[0]!;
  await env.reset(task);
  for (let i = 0; i < steps; i += 1) {
    const started = performance.now();
    const result = await env.step(ACTIONS[i % ACTIONS.length]!);
    samples.push(performance.now() - started);
    if (result.done) await env.reset(task);
  }
  return samples;
};

const timeWebSocket = async (client: WsClient, steps: number): Promise<number[]> => {
  const samples: number[] = [];
  await client.reset({ task_id: DREAM_TASKS[0]!.task_id });
  for (let i = 0; i < steps; i += 1) {
    const started = performance.now();
    const reply = await client.step(ACTIONS[i % ACTIONS.length]!);
    samples.push(performance.now() - started);
    if (reply.type !== 'observation') throw new Error(`bench step failed: ${JSON.stringify(reply)}`);
    if (reply.data.done) await client.reset({ task_id: DREAM_TASKS[0]!.task_id });
  }
  return samples;
};

/** Measures both, after a warm-up of each, in the same process. */
export const benchServerRoundTrip = async (options: { steps?: number } = {}): Promise<ServerRoundTripBench> => {
  const steps = options.steps ?? 3_000;
  const env = new DreamEnv({ model: createToyWebShopModel(), profile: createWebShopProfile() });
  await timeInProcess(env, 300);
  const inProcess = await timeInProcess(env, steps);
  const served = await startDreamServer();
  try {
    const client = await WsClient.connect(served.server.url);
    await timeWebSocket(client, 300);
    const websocket = await timeWebSocket(client, steps);
    await client.close();
    const summary = (s: number[]) => ({ median: percentile(s, 50), p99: percentile(s, 99) });
    return { steps, inProcess: summary(inProcess), websocket: summary(websocket), addedMedianMs: percentile(websocket, 50) - percentile(inProcess, 50) };
  } finally {
    await served.stop();
  }
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const i = process.argv.indexOf('--steps');
  const result = await benchServerRoundTrip(i > 0 ? { steps: Number(process.argv[i + 1]) } : {});
  const ms = (v: number) => v.toFixed(3);
  console.log(
    `dream step in-process: median ${ms(result.inProcess.median)} ms, p99 ${ms(result.inProcess.p99)} ms\n` +
      `dream step over WS /ws: median ${ms(result.websocket.median)} ms, p99 ${ms(result.websocket.p99)} ms\n` +
      `added by the server: ${ms(result.addedMedianMs)} ms median (target ≤ 1 ms) over ${result.steps} steps`,
  );
  process.exit(result.addedMedianMs <= 1 ? 0 : 1);
}
