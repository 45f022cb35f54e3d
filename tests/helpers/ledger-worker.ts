/**
 * A child process using a ledger, for the multi-process tests and scripts/stress-ledger.ts.
 * Run: node --import tsx tests/helpers/ledger-worker.ts '<json LedgerWorkerTask>'
 * (`path`: a ledger file or a `redis://…#KEY` ledger)
 *
 * - `hammer`: prints `ready`, waits for a line on stdin (so several processes start together),
 *   then `workers` concurrent loops make `attempts` reservations in all, each committed after a
 *   turn of the event loop (or after `stepMs`, a step's time); prints one JSON line of
 *   LedgerWorkerResult and exits.
 * - `hold`: commits `commit` reservations, reserves `hold` more without settling them, prints one
 *   JSON line `{"ready": true, ...}` and waits to be killed.
 */
import { createInterface } from 'node:readline';
import { openLedger } from '../../src/budget/ledger.js';
import { openRedisLedger } from '../../src/budget/redis-ledger.js';
import { isRedisUrl } from '../../src/budget/redis-location.js';
import { hasCode } from '../../src/env/code-of.js';

export interface LedgerWorkerTask {
  mode: 'hammer' | 'hold';
  path: string;
  cap?: number;
  workers?: number;
  attempts?: number;
  commit?: number;
  hold?: number;
  lockStaleMs?: number;
  /** hammer: how long the "step" between reserve and commit takes. Default: one turn of the event loop. */
  stepMs?: number;
}

export interface LedgerWorkerResult {
  pid: number;
  granted: number;
  exhausted: number;
  ids: string[];
  /** Reserve → commit latencies of granted reservations (ms). */
  latencies: number[];
  elapsedMs: number;
}

const task = JSON.parse(process.argv[2] ?? '{}') as LedgerWorkerTask;
// `path` may be a ledger file or `redis://…#KEY` (the Redis ledger, leases from the URL's lease_ms).
const ledger = isRedisUrl(task.path)
  ? await openRedisLedger(task.path, task.cap === undefined ? {} : { cap: task.cap })
  : await openLedger(task.path, {
      ...(task.cap === undefined ? {} : { cap: task.cap }),
      ...(task.lockStaleMs === undefined ? {} : { lockStaleMs: task.lockStaleMs }),
    });

if (task.mode === 'hold') {
  for (let i = 0; i < (task.commit ?? 0); i += 1) await (await ledger.reserve()).commit();
  const held = [];
  for (let i = 0; i < (task.hold ?? 0); i += 1) held.push((await ledger.reserve()).id);
  console.log(JSON.stringify({ ready: true, pid: process.pid, held }));
  setInterval(() => undefined, 60_000);
} else {
  console.log('ready');
  const lines = createInterface({ input: process.stdin });
  await new Promise((resolve) => lines.once('line', resolve));
  lines.close();
  const result: LedgerWorkerResult = { pid: process.pid, granted: 0, exhausted: 0, ids: [], latencies: [], elapsedMs: 0 };
  let left = task.attempts ?? 0;
  const start = performance.now();
  const worker = async (): Promise<void> => {
    while (left > 0) {
      left -= 1;
      const t0 = performance.now();
      try {
        const reservation = await ledger.reserve();
        // The "step": others run meanwhile.
        await new Promise((resolve) => (task.stepMs === undefined ? setImmediate(resolve) : setTimeout(resolve, task.stepMs)));
        await reservation.commit();
        result.granted += 1;
        result.ids.push(reservation.id);
        result.latencies.push(performance.now() - t0);
      } catch (error) {
        if (hasCode(error, 'REAL_BUDGET_EXHAUSTED')) result.exhausted += 1;
        else throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: task.workers ?? 1 }, worker));
  result.elapsedMs = performance.now() - start;
  await ledger.close();
  console.log(JSON.stringify(result));
}
