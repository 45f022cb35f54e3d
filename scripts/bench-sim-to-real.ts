/**
 * The dream and sim-to-real benchmarks of `npm run bench`: dream-step harness overhead over a
 * 100k buffer, 64 concurrent dream episodes against a 200 ms LLM in its own process, the ledger's
 * cost per real step, cluster throughput against the plain adapter, and shadowing's wall-time cost.
 */
import { benchCluster } from './bench-cluster.js';
import { benchDreamConcurrency, benchDreamOverhead } from './bench-dream.js';
import { benchLedger } from './bench-ledger.js';
import { benchServerRoundTrip } from './bench-server.js';
import { benchShadowOverhead } from './bench-shadow.js';
import { fmt } from './lib/stats.js';

type Row = (...cells: string[]) => void;

export const benchSimToReal = async (row: Row, adapterBestRatio: number): Promise<Record<string, unknown>> => {
  console.error('bench: dream step overhead over a 100k buffer…');
  const overhead = await benchDreamOverhead();
  row(`dream step, retrieval model, ${overhead.bufferSize} transitions (policy + DreamEnv + retrieval k=4 + line written)`, `p50 ${fmt(overhead.medianMs)} / p95 ${fmt(overhead.p95Ms)} ms over ${overhead.steps} steps`, '≤ 3 ms median');

  console.error('bench: 64 concurrent dream episodes, LLM at 200 ms in its own process…');
  const concurrent = await benchDreamConcurrency();
  row(
    `${concurrent.concurrency} concurrent dream episodes, LLM ${concurrent.latencyMs} ms`,
    `${concurrent.stepsPerSecond.toFixed(1)} steps/s of ideal ${concurrent.idealStepsPerSecond.toFixed(0)} (${(concurrent.ratio * 100).toFixed(1)} %)`,
    '≥ 85 %',
  );

  console.error('bench: ledger reserve + commit…');
  const ledger = await benchLedger();
  row('ledger reserve + commit per real step', `p50 ${ledger.reserveCommitMedianMs.toFixed(2)} / p95 ${ledger.p95Ms.toFixed(2)} ms (n ${ledger.n})`, '≤ 1 ms');

  console.error('bench: cluster vs plain adapter throughput…');
  const cluster = await benchCluster();
  row(
    'real throughput through the cluster vs the adapter\'s best',
    `cluster ${cluster.cluster.stepsPerSecond.toFixed(1)} steps/s (K=${cluster.cluster.concurrency}), adapter ${cluster.adapterBest.stepsPerSecond.toFixed(1)} steps/s (K=${cluster.adapterBest.concurrency}), ratio ${cluster.ratio.toFixed(2)}`,
    '≥ 0.9×',
  );

  console.error('bench: shadowing overhead at real concurrency 4, LLM at 200 ms…');
  const shadow = await benchShadowOverhead();
  row(
    `real run with --shadow ${shadow.k} (LLM ${shadow.latencyMs} ms) vs without, real concurrency ${shadow.realConcurrency}`,
    `${(shadow.shadowedMs / 1000).toFixed(2)} s vs ${(shadow.plainMs / 1000).toFixed(2)} s (+${(shadow.overhead * 100).toFixed(1)} %, ${shadow.shadowLines} shadow lines)`,
    '≤ +10 %',
  );
  console.error('bench: env server WS round trip of a dream step vs in-process…');
  const server = await benchServerRoundTrip();
  row(
    'env server: WS round trip of a dream step (zero-latency model) vs in-process',
    `WS p50 ${server.websocket.median.toFixed(2)} ms, in-process p50 ${server.inProcess.median.toFixed(2)} ms, added ${server.addedMedianMs.toFixed(2)} ms`,
    '≤ 1 ms added',
  );
  return { server, dream_overhead: overhead, dream_concurrency: concurrent, ledger, cluster, shadow, adapter_best_ratio: adapterBestRatio };
};
