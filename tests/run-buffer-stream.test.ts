import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedLlmServer, type ScriptedReplyRequest } from '../fixtures/llm/scripted-llm-server.js';
import type { Transition } from '../src/protocol/index.js';
import { cliPath, projectRoot, runCli } from './helpers/cli.js';
import { redisServerOrSkip, startRedis, type RunningRedis } from './helpers/redis-server.js';
import { DREAM_TASKS, toyTransitionLines } from './helpers/server-dream.js';

const binary = redisServerOrSkip('run --buffer-stream tests');
let redis: RunningRedis;
let dir: string;

beforeAll(async () => {
  if (!binary) return;
  redis = await startRedis(binary);
  dir = await mkdtemp(join(tmpdir(), 'dreambridge-run-stream-'));
}, 20_000);
afterAll(async () => {
  await redis?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const [taskA, taskB] = [DREAM_TASKS[0]!, DREAM_TASKS[1]!];

/** The policy the scripted server plays: search, open the first product listed, buy. */
const policyReply = (request: ScriptedReplyRequest): string => {
  const current = /your current observation is: ([\s\S]*?)\.\nYour admissible actions/.exec(request.lastUserMessage)?.[1] ?? '';
  const asin = /Total results: \d+\) \[SEP\] Next > \[SEP\] (B0[A-Z0-9]{8})/.exec(current)?.[1];
  const action = /Buy Now/.test(current) ? 'click[buy now]' : asin ? `click[${asin.toLowerCase()}]` : 'search[brass desk lamp]';
  return `<think>next: ${action}</think>\n<action>${action}</action>`;
};

const lines = async (path: string): Promise<Transition[]> =>
  (await readFile(path, 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Transition);

const retrievedFrom = (transitions: readonly Transition[], runId: string | undefined): boolean =>
  runId !== undefined && transitions.some((t) => ((t.info['retrieved'] as string[] | undefined) ?? []).some((id) => id.startsWith(`${runId}/`)));

describe.skipIf(!binary)('run --buffer-stream', () => {
  it('two dream runs share a stream: the late starter catches up and retrieves the first\'s transitions, the first tails the late one\'s live', async () => {
    const location = `${redis.url}#test:stream:runs`;
    // A knows task A only, B task B only (its product differs, so nothing B dreams is a copy of what A could make up).
    await writeFile(join(dir, 'a.jsonl'), toyTransitionLines(taskA));
    await writeFile(join(dir, 'b.jsonl'), toyTransitionLines(taskB).replaceAll('B0ABCDEFGH', 'B0QWERTYUI').replaceAll('b0abcdefgh', 'b0qwertyui'));
    await writeFile(join(dir, 'tasks.jsonl'), [taskA, taskB].map((t) => JSON.stringify({ task_id: t.task_id, instruction: t.instruction })).join('\n') + '\n');
    // A's policy holds its 7th decision until B has finished, so A is still dreaming when B's transitions arrive.
    let openGate: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    let decisions = 0;
    const llmA = await startScriptedLlmServer({
      defaultReply: async (request) => {
        decisions += 1;
        if (decisions > 6) await gate;
        return policyReply(request);
      },
    });
    const llmB = await startScriptedLlmServer({ defaultReply: policyReply });
    const args = (name: string, episodes: number, llm: string): string[] => [
      'run', '--env', 'webshop', '--schedule', 'dream', '--buffer', join(dir, `${name}.jsonl`), '--task-file', join(dir, 'tasks.jsonl'),
      '--episodes', String(episodes), '--policy', 'openai:scripted', '--policy-base-url', llm, '--step-timeout', '120000',
      '--buffer-stream', location, '--out', join(dir, name),
    ];
    const a = spawn(process.execPath, [cliPath, ...args('a', 8, llmA.url)], { cwd: projectRoot, env: { ...process.env, DREAMBRIDGE_LOG_LEVEL: 'warn' } });
    let aErr = '';
    a.stderr.on('data', (d: Buffer) => (aErr += d.toString()));
    const aExit = new Promise<number | null>((resolve) => a.once('close', resolve));
    try {
      // A's first two episodes (one of each task) are on disk, and so in the stream.
      for (let i = 0; i < 1200 && (await lines(join(dir, 'a', 'transitions.jsonl'))).length < 6; i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
      const aRun = (await lines(join(dir, 'a', 'transitions.jsonl')))[0]?.run_id;
      expect(aRun, aErr).toBeDefined();

      const b = await runCli(args('b', 4, llmB.url), { timeoutMs: 120_000 });
      expect(b.code, b.stderr).toBe(0);
      const bLines = await lines(join(dir, 'b', 'transitions.jsonl'));
      const bRun = bLines[0]?.run_id;
      // B caught up before its first episode: it dreams task A from A's transitions alone.
      const bOnA = bLines.filter((t) => t.task_id === taskA.task_id);
      expect(bOnA.length).toBeGreaterThan(0);
      expect(bOnA.every((t) => !t.info.error), JSON.stringify(bOnA.map((t) => t.info.error))).toBe(true);
      expect(retrievedFrom(bOnA, aRun)).toBe(true);
      const manifest = JSON.parse(await readFile(join(dir, 'b', 'manifest.json'), 'utf8')) as { buffer_stream?: { location: string; caught_up: number } };
      expect(manifest.buffer_stream?.location).toBe(location);
      expect(manifest.buffer_stream?.caught_up).toBeGreaterThanOrEqual(6);

      openGate();
      expect(await aExit, aErr).toBe(0);
      // A, live: its later episodes of task B retrieve what B appended while A was running.
      const aOnB = (await lines(join(dir, 'a', 'transitions.jsonl'))).filter((t) => t.task_id === taskB.task_id);
      expect(retrievedFrom(aOnB, bRun)).toBe(true);
      // Nobody retrieves its own stream entries twice: A received none of its own.
      const aManifest = JSON.parse(await readFile(join(dir, 'a', 'manifest.json'), 'utf8')) as { buffer_stream?: { caught_up: number } };
      expect(aManifest.buffer_stream?.caught_up).toBe(0);

      // Bounded by --buffer-max with the buffer's eviction order: a third run capped at its 3 recorded
      // transitions catches up on the same entries, but every dreamed one is evicted first, so it
      // retrieves its own recorded seeds only (where B, uncapped, retrieved A's).
      const c = await runCli([...args('c', 2, llmB.url).map((arg) => (arg.endsWith('c.jsonl') ? join(dir, 'b.jsonl') : arg)), '--buffer-max', '3'], { timeoutMs: 120_000 });
      expect(c.code, c.stderr).toBe(0);
      const cManifest = JSON.parse(await readFile(join(dir, 'c', 'manifest.json'), 'utf8')) as { buffer_stream?: { caught_up: number } };
      expect(cManifest.buffer_stream?.caught_up).toBeGreaterThanOrEqual(6);
      const cRetrieved = (await lines(join(dir, 'c', 'transitions.jsonl'))).flatMap((t) => (t.info['retrieved'] as string[] | undefined) ?? []);
      expect(cRetrieved.length).toBeGreaterThan(0);
      expect(cRetrieved.every((id) => id.startsWith('seed/')), cRetrieved.join(' ')).toBe(true);
    } finally {
      openGate();
      if (a.exitCode === null) a.kill('SIGKILL');
      await Promise.all([llmA.close(), llmB.close()]);
    }
  }, 240_000);

  it('a --buffer-stream that is not a Redis URL is refused before anything starts', async () => {
    const result = await runCli(['run', '--env', 'webshop', '--schedule', 'dream', '--buffer', join(dir, 'a.jsonl'), '--buffer-stream', 'http://127.0.0.1:1#s', '--out', join(dir, 'bad')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error CONFIG_INVALID: --buffer-stream .*redis:\/\//);
  }, 60_000);
});
