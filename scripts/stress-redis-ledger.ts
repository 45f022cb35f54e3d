/**
 * Stress run of the Redis ledger: several processes, each with concurrent workers, race for the
 * reservations of one ledger in a local redis-server (Debian's, started on a free port, nothing
 * persisted); optionally one is SIGKILLed in the middle. Checks: never more used than the cap (also
 * sampled while they race), exactly the cap when nobody crashes, and after a crash the killed
 * holder's leases folded into `used` once their TTL has passed (reserved back to 0).
 * Usage: tsx scripts/stress-redis-ledger.ts [--processes P --workers W --reservations N --cap C --kill-after MS --lease-ms MS --step-ms MS]
 */
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { openRedisLedger } from '../src/budget/redis-ledger.js';
import { startLedgerWorker } from '../tests/helpers/ledger-processes.js';
import type { LedgerWorkerResult } from '../tests/helpers/ledger-worker.js';
import { findRedisServer, startRedis } from '../tests/helpers/redis-server.js';
import { median, percentile } from './lib/stats.js';

/** Options of `stressRedisLedger`. */
export interface StressRedisLedgerOptions {
  /** Processes sharing the ledger. Default: 4. */
  processes?: number;
  /** Concurrent workers per process. Default: 16. */
  workers?: number;
  /** Reservation attempts in all (split evenly). Default: 20_000. */
  reservations?: number;
  /** The cap. Default: half of `reservations`. */
  cap?: number;
  /** SIGKILL the first process this long after the start. Default: never. */
  killAfterMs?: number;
  /** Lease TTL of every process. Default: 1000 (short, so the fold is seen quickly). */
  leaseMs?: number;
  /**
   * How long each reservation is held before its commit (a real step's time). Default: one turn of
   * the event loop. With that default a killed process's workers (which run in lockstep) have, at
   * the kill instant, either their reserves or their commits on the wire — and Redis still executes
   * what a dead client sent — so `lostInFlight` reads 0 or `workers`, both right. A step of some ms
   * makes the kill land inside steps, so the fold of dead leases is exercised.
   */
  stepMs?: number;
}

export interface StressRedisLedgerFigures {
  processes: number;
  workers: number;
  reservations: number;
  cap: number;
  granted: number;
  exhausted: number;
  used: number;
  reserved: number;
  lostInFlight: number;
  /** Highest `used` sampled while the processes raced (must never pass the cap). */
  maxUsedSeen: number;
  killed: boolean;
  ok: boolean;
  elapsedMs: number;
  reservationsPerSecond: number;
  latencyMedianMs: number;
  latencyP95Ms: number;
}

export const stressRedisLedger = async (options: StressRedisLedgerOptions = {}): Promise<StressRedisLedgerFigures> => {
  const binary = findRedisServer();
  if (!binary) throw new Error('redis-server not found (Debian: apt-get install redis-server)');
  const processes = options.processes ?? 4;
  const workers = options.workers ?? 16;
  const reservations = options.reservations ?? 20_000;
  const cap = options.cap ?? Math.floor(reservations / 2);
  const leaseMs = options.leaseMs ?? 1000;
  const stepMs = options.stepMs;
  const redis = await startRedis(binary);
  const path = `${redis.url}/0?lease_ms=${leaseMs}#stress:budget`;
  try {
    const ledger = await openRedisLedger(path, { cap });
    const children = Array.from({ length: processes }, (_, i) =>
      startLedgerWorker({ mode: 'hammer', path, workers, attempts: Math.floor(reservations / processes) + (i < reservations % processes ? 1 : 0), ...(stepMs === undefined ? {} : { stepMs }) }),
    );
    let killed = false;
    let maxUsedSeen = 0;
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
      let racing = true;
      const sampler = (async () => {
        while (racing) {
          maxUsedSeen = Math.max(maxUsedSeen, (await ledger.snapshot()).used);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      const outputs = await Promise.allSettled(children.map((c) => c.done));
      const elapsedMs = performance.now() - start;
      racing = false;
      await sampler;
      clearTimeout(timer);
      const results = outputs.flatMap((o) => (o.status === 'fulfilled' ? [JSON.parse(o.value.trim().split('\n').at(-1) ?? '{}') as LedgerWorkerResult] : []));
      if (!killed && results.length < processes) throw (outputs.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason;
      // A killed holder's leases expire after their TTL and are folded in by the next call.
      if (killed) await new Promise((resolve) => setTimeout(resolve, leaseMs + 200));
      const after = await ledger.snapshot();
      maxUsedSeen = Math.max(maxUsedSeen, after.used);
      await ledger.close();
      const raw = new Redis(redis.url);
      const lostInFlight = Number((await raw.hget('stress:budget', 'lost_in_flight')) ?? 0);
      raw.disconnect();
      const granted = results.reduce((sum, r) => sum + r.granted, 0);
      const latencies = results.flatMap((r) => r.latencies);
      // A killed process can have had at most one reservation per worker open; a survivor none (they settle all before exiting).
      const ok =
        maxUsedSeen <= cap && after.used <= cap && after.reserved === 0 && lostInFlight <= (killed ? workers : 0) &&
        (killed ? granted <= after.used : granted === after.used && granted === Math.min(cap, reservations));
      return {
        processes, workers, reservations, cap, granted,
        exhausted: results.reduce((sum, r) => sum + r.exhausted, 0),
        used: after.used, reserved: after.reserved, lostInFlight, maxUsedSeen, killed, ok, elapsedMs,
        reservationsPerSecond: (reservations / elapsedMs) * 1000,
        latencyMedianMs: median(latencies),
        latencyP95Ms: percentile(latencies, 95),
      };
    } finally {
      for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    }
  } finally {
    await redis.stop();
  }
};

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const flag = (name: string): number | undefined => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const given = { processes: flag('processes'), workers: flag('workers'), reservations: flag('reservations'), cap: flag('cap'), killAfterMs: flag('kill-after'), leaseMs: flag('lease-ms'), stepMs: flag('step-ms') };
  const figures = await stressRedisLedger(Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as StressRedisLedgerOptions);
  console.log(JSON.stringify(figures, null, 2));
  process.exitCode = figures.ok ? 0 : 1;
}
