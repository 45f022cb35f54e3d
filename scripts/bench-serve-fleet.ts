/**
 * Benchmark of several `serve` processes (dream mode, sharing a Redis buffer stream): dream-episode
 * throughput (HTTP reset, 3 steps, close; `clients` concurrent trainers, each session kept on the
 * server that opened it) against one server and against two sharing `--buffer-stream`, measured in
 * the same run on the same machine. On a 2-vCPU machine two servers can at most use the second
 * core that one Node process leaves mostly idle.
 * Usage: tsx scripts/bench-serve-fleet.ts [--seconds S --clients C]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCli } from '../tests/helpers/cli.js';
import { findRedisServer, startRedis } from '../tests/helpers/redis-server.js';
import { http } from '../tests/helpers/server-client.js';
import { DREAM_TASKS, toyTransitionLines } from '../tests/helpers/server-dream.js';

export interface BenchServeFleetFigures {
  clients: number;
  seconds: number;
  oneServerStepsPerS: number;
  twoServersStepsPerS: number;
  /** Two servers over one (same run). */
  ratio: number;
}

const actions = ['search[brass desk lamp]', 'click[b0abcdefgh]', 'click[buy now]'];

/** `clients` loops of dream episodes spread over `urls` (client i always on urls[i % n]) for `seconds`; steps per second. */
const load = async (urls: readonly string[], clients: number, seconds: number): Promise<number> => {
  const end = performance.now() + seconds * 1000;
  let steps = 0;
  const client = async (i: number): Promise<void> => {
    const url = urls[i % urls.length] as string;
    while (performance.now() < end) {
      const task = DREAM_TASKS[i % DREAM_TASKS.length]!;
      const reset = await http(`${url}/reset`, { body: { task_id: task.task_id, mode: 'dream' } });
      if (reset.status !== 200) throw new Error(`reset: ${reset.status} ${JSON.stringify(reset.body)}`);
      const sessionId = (reset.body as { observation: { session_id: string } }).observation.session_id;
      for (const action of actions) {
        const step = await http(`${url}/step`, { body: { action: { action_str: action }, session_id: sessionId } });
        if (step.status !== 200) throw new Error(`step: ${step.status}`);
        steps += 1;
      }
      await http(`${url}/close`, { body: { session_id: sessionId } });
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: clients }, (_, i) => client(i)));
  return (steps / (performance.now() - start)) * 1000;
};

export const benchServeFleet = async (options: { seconds?: number; clients?: number } = {}): Promise<BenchServeFleetFigures> => {
  const binary = findRedisServer();
  if (!binary) throw new Error('redis-server not found (Debian: apt-get install redis-server)');
  const seconds = options.seconds ?? 8;
  const clients = options.clients ?? 16;
  const redis = await startRedis(binary);
  const dir = await mkdtemp(join(tmpdir(), 'dreambridge-bench-fleet-'));
  const started: Array<Awaited<ReturnType<typeof startCli>>> = [];
  const serve = async (name: string, stream: string) => {
    const s = await startCli(['serve', '--env', 'webshop', '--mode', 'dream', '--port', '0', '--buffer', join(dir, 'seed.jsonl'), '--buffer-stream', stream, '--max-sessions', '256', '--out', join(dir, name)], 60_000);
    started.push(s);
    return s.url;
  };
  try {
    await writeFile(join(dir, 'seed.jsonl'), DREAM_TASKS.map(toyTransitionLines).join(''));
    const one = await serve('one', `${redis.url}#bench:one`);
    await load([one], clients, 1); // warm-up
    const oneServerStepsPerS = await load([one], clients, seconds);
    started.pop()?.child.kill('SIGTERM');
    const two = [await serve('two-a', `${redis.url}#bench:two`), await serve('two-b', `${redis.url}#bench:two`)];
    await load(two, clients, 1);
    const twoServersStepsPerS = await load(two, clients, seconds);
    return { clients, seconds, oneServerStepsPerS, twoServersStepsPerS, ratio: twoServersStepsPerS / oneServerStepsPerS };
  } finally {
    for (const s of started) if (s.child.exitCode === null) s.child.kill('SIGTERM');
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
  }
};

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const flag = (name: string): number | undefined => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const seconds = flag('seconds');
  const clients = flag('clients');
  const f = await benchServeFleet({ ...(seconds === undefined ? {} : { seconds }), ...(clients === undefined ? {} : { clients }) });
  console.log(`dream steps/s with ${f.clients} clients: one server ${f.oneServerStepsPerS.toFixed(0)}, two servers sharing the stream ${f.twoServersStepsPerS.toFixed(0)}; ratio ${f.ratio.toFixed(2)}`);
}
