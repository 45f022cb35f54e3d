/**
 * Stress run of the real-interaction ledger: several processes, each with concurrent workers,
 * race for the reservations of one shared ledger file; optionally one of them is SIGKILLed in the
 * middle. Checks the budget contract: never more granted than the cap, exactly the cap when
 * nobody crashes, and after a crash every reservation lost in flight counted as used.
 * Usage: tsx scripts/stress-ledger.ts [--processes P --workers W --reservations N --cap C --kill-after MS]
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLedger } from '../src/budget/ledger.js';
import { startLedgerWorker } from '../tests/helpers/ledger-processes.js';
import type { LedgerWorkerResult } from '../tests/helpers/ledger-worker.js';
import { median, percentile } from './lib/stats.js';

/** Options of `stressLedger`. */
export interface StressLedgerOptions {
  /** Processes sharing the ledger. Default: 4. */
  processes?: number;
  /** Concurrent workers per process. Default: 16. */
  workers?: number;
  /** Reservation attempts in all (split evenly across processes). Default: 20_000. */
  reservations?: number;
  /** The ledger's cap. Default: half of `reservations`. */
  cap?: number;
  /** SIGKILL the first process this long after the start (it may die holding the lock or reservations). Default: never. */
  killAfterMs?: number;
}

export interface StressLedgerFigures {
  processes: number;
  workers: number;
  reservations: number;
  cap: number;
  /** Granted by the processes that finished (a killed one cannot report). */
  granted: number;
  exhausted: number;
  /** From the ledger file, reopened after the run (lost reservations folded in). */
  used: number;
  reserved: number;
  lostInFlight: number;
  killed: boolean;
  /** The contract: used ≤ cap; without a crash, granted = used = min(cap, reservations). */
  ok: boolean;
  elapsedMs: number;
  reservationsPerSecond: number;
  /** Reserve → commit of granted reservations, contention included. */
  latencyMedianMs: number;
  latencyP95Ms: number;
}

export const stressLedger = async (options: StressLedgerOptions = {}): Promise<StressLedgerFigures> => {
  const processes = options.processes ?? 4;
  const workers = options.workers ?? 16;
  const reservations = options.reservations ?? 20_000;
  const cap = options.cap ?? Math.floor(reservations / 2);
  const dir = await mkdtemp(join(tmpdir(), 'dreambridge-stress-ledger-'));
  const path = join(dir, 'ledger.json');
  try {
    await (await openLedger(path, { cap })).close();
    const children = Array.from({ length: processes }, (_, i) =>
      startLedgerWorker({
        mode: 'hammer',
        path,
        workers,
        attempts: Math.floor(reservations / processes) + (i < reservations % processes ? 1 : 0),
        lockStaleMs: 2000,
      }),
    );
    let killed = false;
    try {
      await Promise.all(children.map((c) => c.firstLine));
      const start = performance.now();
      for (const c of children) c.child.stdin.write('go\n');
      const timer =
        options.killAfterMs === undefined
          ? undefined
          : setTimeout(() => {
              killed = children[0]?.child.kill('SIGKILL') ?? false;
            }, options.killAfterMs);
      const outputs = await Promise.allSettled(children.map((c) => c.done));
      const elapsedMs = performance.now() - start;
      clearTimeout(timer);
      const results = outputs.flatMap((o) => (o.status === 'fulfilled' ? [JSON.parse(o.value.trim().split('\n').at(-1) ?? '{}') as LedgerWorkerResult] : []));
      if (!killed && results.length < processes) throw (outputs.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason;
      // The killed process may have been inside the lock: reopening waits for it to go stale.
      const ledger = await openLedger(path, { lockStaleMs: 2000 });
      const after = await ledger.snapshot();
      await ledger.close();
      const lostInFlight = (JSON.parse(await readFile(path, 'utf8')) as { lost_in_flight: number }).lost_in_flight;
      const granted = results.reduce((sum, r) => sum + r.granted, 0);
      const latencies = results.flatMap((r) => r.latencies);
      const ok = after.used <= cap && after.reserved === 0 && (killed ? granted <= after.used : granted === after.used && granted === Math.min(cap, reservations));
      return {
        processes,
        workers,
        reservations,
        cap,
        granted,
        exhausted: results.reduce((sum, r) => sum + r.exhausted, 0),
        used: after.used,
        reserved: after.reserved,
        lostInFlight,
        killed,
        ok,
        elapsedMs,
        reservationsPerSecond: (reservations / elapsedMs) * 1000,
        latencyMedianMs: median(latencies),
        latencyP95Ms: percentile(latencies, 95),
      };
    } finally {
      for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const flag = (name: string): number | undefined => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const given = {
    processes: flag('processes'),
    workers: flag('workers'),
    reservations: flag('reservations'),
    cap: flag('cap'),
    killAfterMs: flag('kill-after'),
  };
  const figures = await stressLedger(Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as StressLedgerOptions);
  console.log(JSON.stringify(figures, null, 2));
  process.exitCode = figures.ok ? 0 : 1;
}
