/**
 * Benchmark of the Redis ledger: the time reserve + commit adds to one real step against a local
 * redis-server (Debian's, on a free loopback port), one step at a time as a sequential runner
 * does, with the file ledger measured in the same run as the baseline.
 * Target (issue 16): median ≤ 1 ms.
 * Usage: tsx scripts/bench-redis-ledger.ts [--n N]
 */
import { fileURLToPath } from 'node:url';
import { openRedisLedger } from '../src/budget/redis-ledger.js';
import { findRedisServer, startRedis } from '../tests/helpers/redis-server.js';
import { benchLedger } from './bench-ledger.js';
import { median, percentile } from './lib/stats.js';

export interface BenchRedisLedgerFigures {
  n: number;
  redisMedianMs: number;
  redisP95Ms: number;
  fileMedianMs: number;
  fileP95Ms: number;
  /** Redis median over the file ledger's (same run). */
  ratio: number;
}

export const benchRedisLedger = async (options: { n?: number; warmup?: number } = {}): Promise<BenchRedisLedgerFigures> => {
  const binary = findRedisServer();
  if (!binary) throw new Error('redis-server not found (Debian: apt-get install redis-server)');
  const n = options.n ?? 2000;
  const warmup = options.warmup ?? 200;
  const redis = await startRedis(binary);
  try {
    const ledger = await openRedisLedger(`${redis.url}#bench:budget`, { cap: n + warmup });
    const samples: number[] = [];
    for (let i = 0; i < warmup + n; i += 1) {
      const start = performance.now();
      const reservation = await ledger.reserve();
      await reservation.commit();
      if (i >= warmup) samples.push(performance.now() - start);
    }
    await ledger.close();
    const file = await benchLedger({ n, warmup });
    const redisMedianMs = median(samples);
    return { n, redisMedianMs, redisP95Ms: percentile(samples, 95), fileMedianMs: file.reserveCommitMedianMs, fileP95Ms: file.p95Ms, ratio: redisMedianMs / file.reserveCommitMedianMs };
  } finally {
    await redis.stop();
  }
};

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const nFlag = process.argv.indexOf('--n');
  const f = await benchRedisLedger(nFlag > 0 ? { n: Number(process.argv[nFlag + 1]) } : {});
  console.log(`Redis ledger reserve + commit: median ${f.redisMedianMs.toFixed(3)} ms, p95 ${f.redisP95Ms.toFixed(3)} ms (n=${f.n}); file ledger same run: median ${f.fileMedianMs.toFixed(3)} ms, p95 ${f.fileP95Ms.toFixed(3)} ms; ratio ${f.ratio.toFixed(2)}`);
}
