import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withRealBudget } from '../src/budget/budgeted-env.js';
import { openRedisLedger } from '../src/budget/redis-ledger.js';
import { isRedisUrl, parseRedisLocation } from '../src/budget/redis-location.js';
import { codeOf } from '../src/env/code-of.js';
import type { Env } from '../src/env/env.js';
import { runCli } from './helpers/cli.js';
import { hammerLedger, startLedgerWorker } from './helpers/ledger-processes.js';
import { redisServerOrSkip, startRedis, type RunningRedis } from './helpers/redis-server.js';

const binary = redisServerOrSkip('Redis ledger tests');
let redis: RunningRedis;
let keys = 0;
/** A fresh ledger key per test on the shared server. */
const ledgerUrl = (query = ''): string => `${redis.url}${query}#test:budget:${(keys += 1)}`;

beforeAll(async () => {
  if (binary) redis = await startRedis(binary);
}, 20_000);
afterAll(async () => redis?.stop());

describe('Redis ledger location', () => {
  it('parses redis://…#KEY, masks the password, takes lease_ms and refuses what is not one', () => {
    expect(isRedisUrl('redis://h:1#k')).toBe(true);
    expect(isRedisUrl('rediss://h:1#k')).toBe(true);
    expect(isRedisUrl('/tmp/ledger.json')).toBe(false);
    const parsed = parseRedisLocation('redis://me:s3cret@10.0.0.5:6380/2?lease_ms=1500#fleet:budget', '--ledger');
    expect(parsed).toMatchObject({ key: 'fleet:budget', leaseMs: 1500, url: 'redis://me:s3cret@10.0.0.5:6380/2' });
    expect(parsed.display).toBe('redis://me:***@10.0.0.5:6380/2#fleet:budget');
    expect(() => parseRedisLocation('redis://h:1', '--ledger')).toThrow(/name the key after "#"/);
    expect(() => parseRedisLocation('redis://h:1?lease_ms=5#k', '--ledger')).toThrow(/lease_ms=5/);
    expect(() => parseRedisLocation('http://h:1#k', '--ledger')).toThrow(/redis:\/\//);
  });
});

describe.skipIf(!binary)('Redis ledger', () => {
  it('keeps the file ledger contract: create with a cap, exhausted past it, release gives back, cap mismatch refused, reset', async () => {
    const url = ledgerUrl();
    await expect(openRedisLedger(url)).rejects.toThrow(/no ledger at .*a cap is needed/);
    const ledger = await openRedisLedger(url, { cap: 3 });
    const a = await ledger.reserve();
    const b = await ledger.reserve();
    expect(await ledger.snapshot()).toMatchObject({ cap: 3, used: 0, reserved: 2, remaining: 1, path: url });
    await a.commit();
    await a.commit(); // settles once
    await b.release();
    await (await ledger.reserve()).commit();
    await (await ledger.reserve()).commit();
    expect(await ledger.snapshot()).toMatchObject({ used: 3, reserved: 0, remaining: 0 });
    const refused = await ledger.reserve().catch((error: unknown) => error);
    expect(codeOf(refused)).toBe('REAL_BUDGET_EXHAUSTED');
    await expect(openRedisLedger(url, { cap: 5 })).rejects.toThrow(/has cap 3, but cap 5 was given/);
    expect(await ledger.reset(10)).toMatchObject({ cap: 10, used: 0, reserved: 0, remaining: 10 });
    await ledger.close();
    await expect(ledger.reserve()).rejects.toThrow(/closed/);
  });

  it('4 processes × 16 workers, 2000 reservations against a cap of 1000: exactly 1000 granted, none twice', async () => {
    const url = ledgerUrl();
    await (await openRedisLedger(url, { cap: 1000 })).close();
    const results = await hammerLedger(4, { path: url, workers: 16, attempts: 500 });
    const granted = results.reduce((sum, r) => sum + r.granted, 0);
    expect(granted).toBe(1000);
    expect(results.reduce((sum, r) => sum + r.exhausted, 0)).toBe(1000);
    expect(new Set(results.flatMap((r) => r.ids)).size).toBe(1000);
    const ledger = await openRedisLedger(url);
    expect(await ledger.snapshot()).toMatchObject({ cap: 1000, used: 1000, reserved: 0 });
    await ledger.close();
  }, 60_000);

  it('a SIGKILLed holder never lets the fleet overspend; its leases are folded into used after their TTL', async () => {
    const url = ledgerUrl('?lease_ms=600');
    const setup = await openRedisLedger(url, { cap: 10 });
    const holder = startLedgerWorker({ mode: 'hold', path: url, commit: 2, hold: 5 });
    expect(JSON.parse(await holder.firstLine)).toMatchObject({ ready: true });
    // While it lives its leases are renewed: they stay reserved well past one lease.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await setup.snapshot()).toMatchObject({ used: 2, reserved: 5, remaining: 3 });
    holder.child.kill('SIGKILL');
    // Right after the kill the 5 still count (as reserved): only 3 more can be had.
    const granted = [];
    for (let i = 0; i < 5; i += 1) granted.push(await setup.reserve().then((r) => r, (error: unknown) => codeOf(error)));
    expect(granted.filter((g) => g === 'REAL_BUDGET_EXHAUSTED')).toHaveLength(2);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await setup.snapshot()).toMatchObject({ cap: 10, used: 7, reserved: 3, remaining: 0 });
    await setup.close();
  }, 30_000);

  it('budget show|init|reset work on a redis:// ledger', async () => {
    const url = ledgerUrl();
    const init = await runCli(['budget', 'init', '--ledger', url, '--cap', '40', '--json']);
    expect(init.code, init.stderr).toBe(0);
    expect(JSON.parse(init.stdout)).toMatchObject({ cap: 40, used: 0, path: url });
    const ledger = await openRedisLedger(url);
    await (await ledger.reserve()).commit();
    await ledger.close();
    const show = await runCli(['budget', 'show', '--ledger', url]);
    expect(show.stdout).toMatch(/cap\s+40\n.*used\s+1/s);
    const reset = await runCli(['budget', 'reset', '--ledger', url, '--cap', '50', '--yes', '--json']);
    expect(JSON.parse(reset.stdout)).toMatchObject({ cap: 50, used: 0 });
    const missing = await runCli(['budget', 'show', '--ledger', `${redis.url}#never:made`]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/CONFIG_INVALID.*no ledger at/);
  }, 60_000);
});

describe.skipIf(!binary)('Redis lost mid-run', () => {
  it('real steps stop with LEDGER_UNAVAILABLE: no step is sent unbudgeted, and none is lost once Redis is back', async () => {
    const own = await startRedis(binary as string);
    const url = `${own.url}#test:lost`;
    const ledger = await openRedisLedger(url, { cap: 100, timeoutMs: 500 });
    let sent = 0;
    const env: Env = {
      source: 'real',
      reset: () => Promise.reject(new Error('not used')),
      step: () => {
        sent += 1;
        return Promise.resolve({ observation: { text: '', instruction: '', available_actions: {}, source: 'real' }, reward: 0, done: false, truncated: false, info: { latency_ms: 0 } });
      },
      close: () => Promise.resolve(),
    };
    const budgeted = withRealBudget(env, ledger);
    for (let i = 0; i < 5; i += 1) await budgeted.step('click[x]');
    await own.stop();
    const failures: unknown[] = [];
    for (let i = 0; i < 5; i += 1) failures.push(await budgeted.step('click[x]').catch((error: unknown) => error));
    expect(failures.map(codeOf)).toEqual(Array(5).fill('LEDGER_UNAVAILABLE'));
    expect(String(failures[0])).toMatch(/Redis did not answer/);
    expect(sent).toBe(5);
    await ledger.close();
    const unreachable = await openRedisLedger(url, { timeoutMs: 500 }).catch((error: unknown) => error);
    expect(codeOf(unreachable)).toBe('LEDGER_UNAVAILABLE');
    expect(String(unreachable)).toMatch(/cannot connect to Redis/);
  }, 30_000);
});
