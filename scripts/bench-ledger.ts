/**
 * Benchmark of the real-interaction ledger: the time reserve + commit adds to one real step (the
 * ledger in the OS temp directory, one process, one step at a time as a sequential runner does:
 * `await reserve()` → step → `await commit()` → next). With the default settings a commit is
 * written with the next reserve, so one locked read + atomic write per step is on the path.
 * Target (issue 6): median ≤ 1 ms. The printout adds write-through commits and fsync for reference.
 * Usage: tsx scripts/bench-ledger.ts [--n N]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLedger } from '../src/budget/ledger.js';
import { median, percentile } from './lib/stats.js';

/** Options of `benchLedger`. */
export interface BenchLedgerOptions {
  /** Timed reserve + commit pairs. Default: 2000. */
  n?: number;
  /** Untimed pairs first (JIT, first writes allocating the file's blocks). Default: 200. */
  warmup?: number;
  /** fsync every write (the power-loss-safe mode). Default: false. */
  fsync?: boolean;
  /** The ledger's settleDelayMs (0: every commit written before it resolves). Default: the ledger's (50). */
  settleDelayMs?: number;
}

export const benchLedger = async (options: BenchLedgerOptions = {}): Promise<{ reserveCommitMedianMs: number; p95Ms: number; n: number }> => {
  const n = options.n ?? 2000;
  const warmup = options.warmup ?? 200;
  const dir = await mkdtemp(join(tmpdir(), 'dreambridge-bench-ledger-'));
  try {
    const ledger = await openLedger(join(dir, 'ledger.json'), {
      cap: n + warmup,
      fsync: options.fsync ?? false,
      ...(options.settleDelayMs === undefined ? {} : { settleDelayMs: options.settleDelayMs }),
    });
    const samples: number[] = [];
    for (let i = 0; i < warmup + n; i += 1) {
      const start = performance.now();
      const reservation = await ledger.reserve();
      await reservation.commit();
      if (i >= warmup) samples.push(performance.now() - start);
    }
    await ledger.close();
    return { reserveCommitMedianMs: median(samples), p95Ms: percentile(samples, 95), n };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const nFlag = process.argv.indexOf('--n');
  const n = nFlag > 0 ? Number(process.argv[nFlag + 1]) : 2000;
  const plain = await benchLedger({ n });
  console.log(`ledger reserve + commit: median ${plain.reserveCommitMedianMs.toFixed(3)} ms, p95 ${plain.p95Ms.toFixed(3)} ms (n=${plain.n})`);
  const through = await benchLedger({ n, settleDelayMs: 0 });
  console.log(`  commits written through (settleDelayMs 0): median ${through.reserveCommitMedianMs.toFixed(3)} ms, p95 ${through.p95Ms.toFixed(3)} ms`);
  const durable = await benchLedger({ n: Math.min(n, 200), warmup: 20, fsync: true });
  console.log(`  with fsync: median ${durable.reserveCommitMedianMs.toFixed(3)} ms, p95 ${durable.p95Ms.toFixed(3)} ms (n=${durable.n})`);
}
