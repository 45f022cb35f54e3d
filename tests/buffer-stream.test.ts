import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Transition } from '../src/protocol/index.js';
import { openBufferStream } from '../src/replay/buffer-stream.js';
import { startCli } from './helpers/cli.js';
import { redisServerOrSkip, startRedis, type RunningRedis } from './helpers/redis-server.js';
import { DREAM_TASKS, toyTransitionLines } from './helpers/server-dream.js';
import { http } from './helpers/server-client.js';

const binary = redisServerOrSkip('shared buffer stream tests');
let redis: RunningRedis;
let dir: string;

beforeAll(async () => {
  if (!binary) return;
  redis = await startRedis(binary);
  dir = await mkdtemp(join(tmpdir(), 'dreambridge-stream-'));
}, 20_000);
afterAll(async () => {
  await redis?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const until = async <T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

const seedLines = (taskIndex: number): Transition[] =>
  toyTransitionLines(DREAM_TASKS[taskIndex]!)
    .trim()
    .split('\n')
    .map((line) => ({ ...(JSON.parse(line) as Transition), run_id: `run-${taskIndex}` }));

describe.skipIf(!binary)('shared buffer stream', () => {
  it('each process receives the others\' transitions, never its own; a late joiner catches up first', async () => {
    const location = `${redis.url}#test:stream:unit`;
    const gotA: Transition[] = [];
    const gotB: Transition[] = [];
    const a = await openBufferStream({ location, onTransition: (t) => gotA.push(t) });
    const b = await openBufferStream({ location, onTransition: (t) => gotB.push(t) });
    for (const t of seedLines(0)) await a.publish(t);
    for (const t of seedLines(1)) await b.publish(t);
    await until('both to receive', () => (gotA.length === 3 && gotB.length === 3 ? true : undefined));
    expect(gotA.map((t) => t.run_id)).toEqual(['run-1', 'run-1', 'run-1']);
    expect(gotB.map((t) => t.run_id)).toEqual(['run-0', 'run-0', 'run-0']);
    const late: Transition[] = [];
    const c = await openBufferStream({ location, onTransition: (t) => late.push(t) });
    // Resolved only after the catch-up: everything appended before it joined is there already.
    expect(late).toHaveLength(6);
    expect(c.received).toBe(6);
    await Promise.all([a.close(), b.close(), c.close()]);
  }, 30_000);

  it('two `serve` processes sharing a stream each retrieve the other\'s served transitions (the second started late)', async () => {
    const location = `${redis.url}#test:stream:serve`;
    // Each server knows one task only from its own recorded buffer.
    await writeFile(join(dir, 'a.jsonl'), toyTransitionLines(DREAM_TASKS[0]!));
    await writeFile(join(dir, 'b.jsonl'), toyTransitionLines(DREAM_TASKS[1]!));
    const serve = (name: string) =>
      startCli(['serve', '--env', 'webshop', '--mode', 'dream', '--port', '0', '--buffer', join(dir, `${name}.jsonl`), '--buffer-stream', location, '--out', join(dir, name)], 60_000);
    const episode = async (url: string, taskId: string): Promise<void> => {
      const reset = await http(`${url}/reset`, { body: { task_id: taskId, mode: 'dream' } });
      expect(reset.status, JSON.stringify(reset.body)).toBe(200);
      const sessionId = (reset.body as { observation: { session_id: string } }).observation.session_id;
      for (const action of ['search[brass desk lamp]', 'click[b0abcdefgh]', 'click[buy now]']) {
        const step = await http(`${url}/step`, { body: { action: { action_str: action }, session_id: sessionId } });
        expect(step.status, JSON.stringify(step.body)).toBe(200);
      }
      await http(`${url}/close`, { body: { session_id: sessionId } });
    };
    const lines = async (name: string): Promise<Transition[]> =>
      (await readFile(join(dir, name, 'transitions.jsonl'), 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Transition);

    const a = await serve('a');
    const b = { started: undefined as Awaited<ReturnType<typeof serve>> | undefined };
    try {
      await episode(a.url, DREAM_TASKS[0]!.task_id);
      const aRun = (await until('a to record', async () => (await lines('a'))[0]))?.run_id;
      // B starts after A served: it catches up from the stream and can dream A's task.
      b.started = await serve('b');
      await episode(b.started.url, DREAM_TASKS[0]!.task_id);
      const bOnA = await lines('b');
      expect(bOnA.flatMap((t) => (t.info['retrieved'] as string[] | undefined) ?? []).some((id) => id.startsWith(`${aRun}/`))).toBe(true);
      // A tails live: B's episode of B's own task reaches A, which can now dream it.
      await episode(b.started.url, DREAM_TASKS[1]!.task_id);
      const bRun = (await lines('b'))[0]?.run_id;
      await until('a to receive b\'s task', async () => {
        const reset = await http(`${a.url}/reset`, { body: { task_id: DREAM_TASKS[1]!.task_id, mode: 'dream' } });
        if (reset.status !== 200) return undefined;
        await http(`${a.url}/close`, { body: { session_id: (reset.body as { observation: { session_id: string } }).observation.session_id } });
        return true;
      });
      await episode(a.url, DREAM_TASKS[1]!.task_id);
      const aOnB = (await lines('a')).filter((t) => t.task_id === DREAM_TASKS[1]!.task_id);
      expect(aOnB.flatMap((t) => (t.info['retrieved'] as string[] | undefined) ?? []).some((id) => id.startsWith(`${bRun}/`))).toBe(true);
      const manifest = JSON.parse(await readFile(join(dir, 'b', 'manifest.json'), 'utf8')) as { buffer_stream?: { location: string; caught_up: number } };
      expect(manifest.buffer_stream).toMatchObject({ location });
      expect(manifest.buffer_stream?.caught_up).toBeGreaterThanOrEqual(3);
    } finally {
      a.child.kill('SIGTERM');
      b.started?.child.kill('SIGTERM');
    }
  }, 120_000);
});
