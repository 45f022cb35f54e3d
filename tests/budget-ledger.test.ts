import { closeSync, linkSync, lstatSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLedger, type Ledger } from '../src/budget/ledger.js';
import { newLedgerData } from '../src/budget/ledger-format.js';
import { createMemoryBudget } from '../src/budget/memory-budget.js';
import type { RealBudget } from '../src/budget/real-budget.js';
import { codeOf, hasCode } from '../src/env/code-of.js';
import { hammerLedger, startLedgerWorker } from './helpers/ledger-processes.js';

let dir: string;
let path: string;
const opened: Ledger[] = [];
const open = async (...args: Parameters<typeof openLedger>): Promise<Ledger> => {
  const ledger = await openLedger(...args);
  opened.push(ledger);
  return ledger;
};
const onDisk = (): Record<string, unknown> => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
const rejectionOf = async (promise: Promise<unknown>): Promise<{ code: string; message: string }> => {
  try {
    await promise;
  } catch (error) {
    return { code: codeOf(error) ?? '', message: (error as Error).message };
  }
  throw new Error('expected a rejection');
};

/** 16 concurrent workers make `attempts` reservations in all, each committed after a turn of the event loop. */
const hammer = async (budget: RealBudget, attempts: number): Promise<{ granted: number; exhausted: number }> => {
  let left = attempts;
  let granted = 0;
  let exhausted = 0;
  const worker = async (): Promise<void> => {
    while (left > 0) {
      left -= 1;
      try {
        const reservation = await budget.reserve();
        await new Promise((resolve) => setImmediate(resolve));
        await reservation.commit();
        granted += 1;
      } catch (error) {
        if (!hasCode(error, 'REAL_BUDGET_EXHAUSTED')) throw error;
        exhausted += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return { granted, exhausted };
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dreambridge-ledger-test-'));
  path = join(dir, 'budget', 'ledger.json');
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((l) => l.close()));
  rmSync(dir, { recursive: true, force: true });
});

describe('ledger file', () => {
  it('is created as plain JSON with cap, used and reserved, and keeps its cap when reopened', async () => {
    const ledger = await open(path, { cap: 5 });
    expect(onDisk()).toMatchObject({ format: 'dreambridge-ledger', version: 1, cap: 5, used: 0, reserved: 0, reservations: [] });
    const reservation = await ledger.reserve();
    expect(onDisk()).toMatchObject({ used: 0, reserved: 1, reservations: [{ id: reservation.id, pid: process.pid, host: hostname() }] });
    await reservation.commit();
    await ledger.snapshot(); // commits ride with the next write; any call of this instance writes them
    expect(onDisk()).toMatchObject({ used: 1, reserved: 0 });
    const again = await open(path);
    expect(await again.snapshot()).toMatchObject({ cap: 5, used: 1, reserved: 0, remaining: 4, path });
  });

  it('grants exactly the cap to 16 concurrent workers making 1000 reservations (one process)', async () => {
    const ledger = await open(path, { cap: 500 });
    const result = await hammer(ledger, 1000);
    expect(result).toEqual({ granted: 500, exhausted: 500 });
    expect(await ledger.snapshot()).toMatchObject({ cap: 500, used: 500, reserved: 0, remaining: 0 });
  });

  it('grants exactly the cap to two processes sharing the ledger, and the file is valid JSON throughout', async () => {
    const race = async (): Promise<{ results: Awaited<ReturnType<typeof hammerLedger>>; reads: number }> => {
      const run = hammerLedger(2, { path, cap: 500, workers: 16, attempts: 500 });
      // Read the file as an outsider would while both processes write it.
      let reads = 0;
      let settled = false;
      void run.finally(() => (settled = true)).catch(() => undefined);
      while (!settled) {
        try {
          const data = JSON.parse(readFileSync(path, 'utf8')) as { used: number; reserved: number };
          expect(data.used + data.reserved).toBeLessThanOrEqual(500);
          reads += 1;
        } catch (error) {
          if (!hasCode(error, 'ENOENT')) throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      return { results: await run, reads };
    };
    let { results, reads } = await race();
    // On a loaded machine one process can take every grant before the other's first turn; the
    // check needs both competing, so such a race is run once more on a fresh ledger.
    if (!results.every((r) => r.granted > 0)) {
      path = join(dir, 'ledger-again.json');
      ({ results, reads } = await race());
    }
    expect(results.reduce((sum, r) => sum + r.granted, 0)).toBe(500);
    expect(results.reduce((sum, r) => sum + r.exhausted, 0)).toBe(500);
    expect(results.every((r) => r.granted > 0)).toBe(true); // both really competed
    expect(new Set(results.flatMap((r) => r.ids)).size).toBe(500);
    expect(onDisk()).toMatchObject({ cap: 500, used: 500, reserved: 0, reservations: [] });
    expect(reads).toBeGreaterThan(10);
  });

  it('counts commits as used, gives released reservations back, and settles each reservation once', async () => {
    const ledger = await open(path, { cap: 3 });
    const [a, b, c] = [await ledger.reserve(), await ledger.reserve(), await ledger.reserve()];
    expect((await rejectionOf(ledger.reserve())).code).toBe('REAL_BUDGET_EXHAUSTED');
    await a.commit();
    await b.release();
    expect(await ledger.snapshot()).toMatchObject({ used: 1, reserved: 1, remaining: 1 });
    await a.commit();
    await a.release();
    await b.commit();
    expect(await ledger.snapshot()).toMatchObject({ used: 1, reserved: 1, remaining: 1 });
    const d = await ledger.reserve(); // the released one is available again
    await Promise.all([c.commit(), d.commit()]);
    expect(await ledger.snapshot()).toMatchObject({ used: 3, reserved: 0, remaining: 0 });
    const exhausted = await rejectionOf(ledger.reserve());
    expect(exhausted).toEqual({ code: 'REAL_BUDGET_EXHAUSTED', message: expect.stringContaining(`3 used + 0 reserved of cap 3 (ledger ${path})`) });
  });

  it('writes a commit with the next write or shortly after, counting it against the cap meanwhile', async () => {
    const ledger = await open(path, { cap: 2 });
    const other = await open(path); // another process, as far as the file is concerned
    const first = await ledger.reserve();
    await first.commit();
    expect(await other.snapshot()).toMatchObject({ used: 0, reserved: 1, remaining: 1 }); // not written yet, still counted
    await new Promise((resolve) => setTimeout(resolve, 120)); // settleDelayMs: 50
    expect(onDisk()).toMatchObject({ used: 1, reserved: 0 });
    const second = await ledger.reserve();
    await second.release();
    await ledger.close(); // writes what is pending
    expect(await other.snapshot()).toMatchObject({ used: 1, reserved: 0, remaining: 1 });
    const eager = await open(path, { settleDelayMs: 0 });
    await (await eager.reserve()).commit();
    expect(onDisk()).toMatchObject({ used: 2, reserved: 0 });
  });

  it('reserves nothing when the signal is already aborted, and refuses after close', async () => {
    const ledger = await open(path, { cap: 3 });
    await expect(ledger.reserve({ signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(await ledger.snapshot()).toMatchObject({ used: 0, reserved: 0 });
    await ledger.close();
    expect((await rejectionOf(ledger.reserve())).code).toBe('ENV_CLOSED');
  });

  it('never writes into the live file, even when a crashed writer left its spare names linked to it', async () => {
    const ledger = await open(path, { cap: 5 });
    // As if a writer crashed between linking and renaming: both spare names are the live file.
    for (const spare of ['.ledger.json.a', '.ledger.json.b']) linkSync(path, join(dir, 'budget', spare));
    const reader = openSync(path, 'r'); // holds the live version
    const before = readFileSync(path, 'utf8');
    await ledger.reserve();
    expect(onDisk()).toMatchObject({ used: 0, reserved: 1 });
    const old = Buffer.alloc(before.length + 64);
    expect(old.toString('utf8', 0, readSync(reader, old, 0, old.length, 0))).toBe(before);
    closeSync(reader);
  });

  it('through a symlink, updates the real file and keeps the link', async () => {
    const real = join(dir, 'real.json');
    await open(real, { cap: 2 }).then((l) => l.close());
    const link = join(dir, 'link.json');
    symlinkSync(real, link);
    const ledger = await open(link);
    await (await ledger.reserve()).commit();
    await ledger.close();
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(real, 'utf8'))).toMatchObject({ used: 1 });
  });

  it('reset starts over, keeps reservations in flight, and can change the cap', async () => {
    const ledger = await open(path, { cap: 3 });
    await (await ledger.reserve()).commit();
    const inFlight = await ledger.reserve();
    expect(await ledger.reset(10)).toMatchObject({ cap: 10, used: 0, reserved: 1, remaining: 9 });
    await inFlight.commit();
    expect(await ledger.snapshot()).toMatchObject({ cap: 10, used: 1, reserved: 0 });
  });
});

describe('crashes', () => {
  it('counts the reservations of a SIGKILLed process as used, on the next open or when a reserve meets the cap', async () => {
    // Two crashes at once (child processes are slow to start): ledger A is reopened after the
    // crash; on ledger B, a ledger opened before the crash reaches the cap.
    const pathB = join(dir, 'b', 'ledger.json');
    await open(path, { cap: 10 }).then((l) => l.close());
    await open(pathB, { cap: 4 }).then((l) => l.close());
    const [earlyA, earlyB] = [await open(path), await open(pathB)];
    const workers = [
      startLedgerWorker({ mode: 'hold', path, commit: 5, hold: 3, lockStaleMs: 2000 }),
      startLedgerWorker({ mode: 'hold', path: pathB, commit: 1, hold: 3, lockStaleMs: 2000 }),
    ];
    const ready = await Promise.all(workers.map(async (w) => JSON.parse(await w.firstLine) as { held: string[] }));
    expect(ready.map((r) => r.held.length)).toEqual([3, 3]);
    expect(await earlyA.snapshot()).toMatchObject({ used: 5, reserved: 3, remaining: 2 });
    for (const w of workers) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.done.catch(() => undefined)));

    const after = await open(path);
    expect(await after.snapshot()).toMatchObject({ cap: 10, used: 8, reserved: 0, remaining: 2 });
    expect(onDisk()).toMatchObject({ used: 8, lost_in_flight: 3, reservations: [] });
    await (await earlyA.reserve()).commit();
    await (await after.reserve()).commit();
    expect((await rejectionOf(earlyA.reserve())).code).toBe('REAL_BUDGET_EXHAUSTED');
    expect(await after.snapshot()).toMatchObject({ used: 10, reserved: 0, remaining: 0 });

    expect(await earlyB.snapshot()).toMatchObject({ used: 1, reserved: 3 });
    expect((await rejectionOf(earlyB.reserve())).code).toBe('REAL_BUDGET_EXHAUSTED');
    expect(await earlyB.snapshot()).toMatchObject({ used: 4, reserved: 0, remaining: 0 });
  });

  it('keeps reservations of live processes and other machines; folds an earlier process with this pid', async () => {
    const data = newLedgerData(10);
    const at = new Date().toISOString();
    data.reservations = [
      { id: 'parent-1', pid: process.ppid, host: hostname(), instance: 'p', at }, // alive
      { id: 'remote-1', pid: 999_999, host: `${hostname()}-elsewhere`, instance: 'r', at }, // cannot tell
      { id: 'reused-1', pid: process.pid, host: hostname(), instance: 'gone', at }, // same pid, earlier process
      { id: 'dead-1', pid: 2 ** 22 + 1, host: hostname(), instance: 'd', at }, // above pid_max: no such process
    ];
    data.reserved = 4;
    writeFileSync(join(dir, 'ledger.json'), JSON.stringify(data));
    path = join(dir, 'ledger.json');
    const ledger = await open(path);
    expect(await ledger.snapshot()).toMatchObject({ used: 2, reserved: 2 });
    expect((onDisk().reservations as { id: string }[]).map((r) => r.id)).toEqual(['parent-1', 'remote-1']);
  });
});

describe('errors', () => {
  it('an invalid ledger file is LEDGER_INVALID naming the file and the problem, and is left untouched', async () => {
    path = join(dir, 'ledger.json');
    const cases: [string, string][] = [
      ['{"cap": 5, "used": 1', 'not valid JSON'],
      ['', 'the file is empty'],
      [JSON.stringify({ ...newLedgerData(5), used: 'one' }), 'field "used"'],
      [JSON.stringify({ ...newLedgerData(5), reserved: 2 }), '"reserved" differs'],
      [JSON.stringify({ ...newLedgerData(5), version: 2 }), 'format version 2'],
      [JSON.stringify({ cap: 5, used: 0 }), 'not a dreambridge ledger'],
    ];
    for (const [content, problem] of cases) {
      writeFileSync(path, content);
      const error = await rejectionOf(openLedger(path, { cap: 5 }));
      expect(error.code).toBe('LEDGER_INVALID');
      expect(error.message).toContain(path);
      expect(error.message).toContain(problem);
      expect(readFileSync(path, 'utf8')).toBe(content);
    }
  });

  it('an invalid file met later (edited by hand) is LEDGER_INVALID too', async () => {
    const ledger = await open(path, { cap: 5 });
    writeFileSync(path, 'garbage');
    expect(await rejectionOf(ledger.reserve())).toMatchObject({ code: 'LEDGER_INVALID', message: expect.stringContaining(path) });
  });

  it('refuses a different cap naming both, unless resetCap; a missing file needs a cap', async () => {
    const ledger = await open(path, { cap: 5 });
    await (await ledger.reserve()).commit();
    await ledger.close();
    const mismatch = await rejectionOf(openLedger(path, { cap: 7 }));
    expect(mismatch.code).toBe('CONFIG_INVALID');
    expect(mismatch.message).toMatch(/cap 5.*cap 7/);
    expect(await (await open(path, { cap: 7, resetCap: true })).snapshot()).toMatchObject({ cap: 7, used: 1, remaining: 6 });
    expect(await rejectionOf(openLedger(join(dir, 'missing.json')))).toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('missing.json') });
    expect((await rejectionOf(openLedger(join(dir, 'bad-cap.json'), { cap: -1 }))).code).toBe('CONFIG_INVALID');
  });

  it('a held lock is LEDGER_LOCKED naming the file after the timeout; a stale one is broken', async () => {
    const ledger = await open(path, { cap: 5 });
    writeFileSync(`${path}.lock`, '');
    const started = performance.now();
    const locked = await rejectionOf(openLedger(path, { lockTimeoutMs: 300 }));
    expect(locked.code).toBe('LEDGER_LOCKED');
    expect(locked.message).toContain(path);
    expect(performance.now() - started).toBeLessThan(2000);
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${path}.lock`, old, old); // as if left by a process that crashed a minute ago
    await (await ledger.reserve()).commit();
    expect(await ledger.snapshot()).toMatchObject({ used: 1 });
  });
});

describe('memory budget', () => {
  it('has the same semantics in one process', async () => {
    const budget = createMemoryBudget(500);
    expect(await hammer(budget, 1000)).toEqual({ granted: 500, exhausted: 500 });
    const small = createMemoryBudget(2);
    const a = await small.reserve();
    await small.reserve();
    expect((await rejectionOf(small.reserve())).code).toBe('REAL_BUDGET_EXHAUSTED');
    await a.release();
    await a.commit();
    await (await small.reserve()).commit();
    expect(await small.snapshot()).toMatchObject({ cap: 2, used: 1, reserved: 1, remaining: 0 });
  });
});
