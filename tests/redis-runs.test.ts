import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRedisLedger } from '../src/budget/redis-ledger.js';
import { runCli } from './helpers/cli.js';
import { readEpisodeLines, readTransitions } from './helpers/kill-resume.js';
import { redisServerOrSkip, startRedis, type RunningRedis } from './helpers/redis-server.js';

const binary = redisServerOrSkip('runs over a Redis ledger');
let redis: RunningRedis;
beforeAll(async () => {
  if (binary) redis = await startRedis(binary);
}, 20_000);
afterAll(async () => redis?.stop());

const tmp = (name: string): string => mkdtempSync(join(tmpdir(), `dreambridge-${name}-`));

describe.skipIf(!binary)('run --schedule real over a Redis ledger', () => {
  it('two processes sharing a cap of 40 spend exactly 40 together', async () => {
    const dir = tmp('redis-runs');
    const ledger = `${redis.url}#test:runs:shared`;
    const run = (name: string) =>
      runCli(['run', '--env', 'webshop', '--fixture', '--schedule', 'real', '--episodes', '14', '--concurrency', '2', '--real-cap', '40', '--ledger', ledger, '--out', join(dir, name)], { timeoutMs: 180_000 });
    const [a, b] = await Promise.all([run('a'), run('b')]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const realA = readTransitions(join(dir, 'a')).filter((t) => t.source === 'real').length;
    const realB = readTransitions(join(dir, 'b')).filter((t) => t.source === 'real').length;
    expect(realA + realB).toBe(40);
    // Both spent some: the cap was shared, not taken by whichever started first.
    expect(realA).toBeGreaterThan(0);
    expect(realB).toBeGreaterThan(0);
    const shared = await openRedisLedger(ledger);
    expect(await shared.snapshot()).toMatchObject({ cap: 40, used: 40, reserved: 0 });
    await shared.close();
  }, 240_000);

  it('Redis stopped mid-run: the run stops with LEDGER_UNAVAILABLE, cut episodes are interrupted (resumable), no step beyond what was reserved', async () => {
    const own = await startRedis(binary as string);
    const dir = tmp('redis-lost');
    const out = join(dir, 'run');
    const ledger = `${own.url}#test:runs:lost`;
    const setup = await openRedisLedger(ledger, { cap: 1000 });
    const running = runCli(['run', '--env', 'webshop', '--fixture', '--schedule', 'real', '--episodes', '200', '--concurrency', '2', '--ledger', ledger, '--out', out], { timeoutMs: 120_000 });
    // Stop Redis once some real steps are on disk, remembering what the ledger had granted.

    for (let i = 0; i < 600 && readTransitionsSafe(out) < 8; i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    const before = await setup.snapshot();
    const granted = before.used + before.reserved;
    await setup.close();
    await own.stop();
    const result = await running;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/LEDGER_UNAVAILABLE/);
    const real = readTransitions(out).filter((t) => t.source === 'real').length;
    // Steps in flight when Redis stopped had their reservation: never more steps than reservations (+ those made meanwhile, at most one per worker).
    expect(real).toBeLessThanOrEqual(granted + 2);
    const cut = readEpisodeLines(out).filter((e) => /LEDGER_UNAVAILABLE/.test(e.error ?? ''));
    for (const e of cut) expect(e.termination).toBe('interrupted');
  }, 180_000);
});

const readTransitionsSafe = (dir: string): number => {
  try {
    return readTransitions(dir).length;
  } catch {
    return 0;
  }
};
