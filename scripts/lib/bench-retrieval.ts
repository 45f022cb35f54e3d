import seedrandom from 'seedrandom';
import type { Observation } from '../../src/protocol/index.js';
import { toReplayTransition, type ReplayTransition } from '../../src/replay/replay-buffer.js';
import { RetrievalIndex, type RetrievalIndexOptions } from '../../src/replay/retrieval-index.js';

/** Options of `benchRetrieval`. */
export interface BenchRetrievalOptions {
  /** Transitions indexed. Default: 100,000. */
  transitions?: number;
  /** Queries timed (after a warm-up that also triggers the first IDF reindex). Default: 200. */
  queries?: number;
  /** Neighbours per query. Default: 4. */
  k?: number;
  /** PRNG seed, so runs are comparable. Default: 1. */
  seed?: number;
  /** Passed to the index (its defaults otherwise). */
  index?: Omit<RetrievalIndexOptions, 'embedder'>;
}

export interface BenchRetrievalReport {
  transitions: number;
  queries: number;
  k: number;
  buildMs: number;
  medianMs: number;
  p95Ms: number;
}

/** A seeded PRNG: reproducible synthetic corpora. */
const prng = (seed: number): (() => number) => seedrandom(String(seed));

const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'pa', 'qui', 'dor', 'ben', 'fal', 'gri'];

/** A WebShop-like synthetic state: shared boilerplate plus Zipf-distributed product words. */
const syntheticTransition = (random: () => number, vocabulary: readonly string[], n: number): ReplayTransition => {
  const word = (): string => vocabulary[Math.floor(vocabulary.length * random() ** 3)] as string;
  const words = (count: number): string => Array.from({ length: count }, word).join(' ');
  const instruction = `i need ${words(8)} and price lower than ${10 + Math.floor(random() * 90)}.00 dollars`;
  const items = Array.from({ length: 3 }, () => `B0${Math.floor(random() * 1e8)} [SEP] ${words(10)} [SEP] $${(random() * 100).toFixed(2)}`);
  const text = `WebShop [SEP] Instruction: [SEP] ${instruction} [SEP] Back to Search [SEP] Page 1 (Total results: 50) [SEP] Next > [SEP] ${items.join(' [SEP] ')}`;
  const state: Observation = {
    text,
    instruction,
    page_type: 'results',
    available_actions: { has_search_bar: false, clickables: ['back to search', 'next >'] },
    source: 'real',
  };
  const action = random() < 0.5 ? `search[${words(4)}]` : `click[${words(3)}]`;
  return toReplayTransition(
    {
      run_id: 'bench',
      episode_id: `bench-${n}`,
      task_id: String(n % 500),
      env: 'webshop',
      source: 'real',
      step: 0,
      state,
      action,
      next_state: { ...state, text: `${text} [SEP] ${n}` },
      reward: 0,
      done: false,
      truncated: false,
      info: { latency_ms: 0 },
    },
    'offline',
  );
};

const percentile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

/** `count` synthetic WebShop-like transitions (reproducible from `seed`), for benchmarks. */
export const syntheticTransitions = (count: number, seed = 1): ReplayTransition[] => {
  const random = prng(seed);
  const vocabulary = Array.from({ length: 5000 }, () =>
    Array.from({ length: 2 + Math.floor(random() * 3) }, () => syllables[Math.floor(random() * syllables.length)]).join(''),
  );
  return Array.from({ length: count }, (_, n) => syntheticTransition(random, vocabulary, n));
};

/**
 * Times `RetrievalIndex.retrieve` (k nearest neighbours, no canonical key) over a synthetic
 * WebShop-like corpus; queries are near-duplicates of indexed states (one word changed).
 * Run with `npx tsx -e "import('./scripts/lib/bench-retrieval.ts').then(async m => console.log(m.benchRetrieval()))"`.
 */
export const benchRetrieval = (options: BenchRetrievalOptions = {}): BenchRetrievalReport => {
  const count = options.transitions ?? 100_000;
  const queries = options.queries ?? 200;
  const k = options.k ?? 4;
  const random = prng(options.seed ?? 1);
  const vocabulary = Array.from({ length: 5000 }, () =>
    Array.from({ length: 2 + Math.floor(random() * 3) }, () => syllables[Math.floor(random() * syllables.length)]).join(''),
  );
  const corpus = Array.from({ length: count }, (_, n) => syntheticTransition(random, vocabulary, n));
  const index = new RetrievalIndex(options.index ?? {});
  const started = performance.now();
  for (const t of corpus) index.add(t);
  index.reindex();
  const buildMs = performance.now() - started;
  const query = (): { state: Observation; action: string } => {
    const t = corpus[Math.floor(random() * corpus.length)] as ReplayTransition;
    return { state: { ...t.state, text: t.state.text.replace(/\bBack\b/, 'back') + ' extra' }, action: t.action };
  };
  for (let i = 0; i < 20; i += 1) index.retrieve(query(), { k });
  const times: number[] = [];
  for (let i = 0; i < queries; i += 1) {
    const q = query();
    const t0 = performance.now();
    index.retrieve(q, { k });
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { transitions: count, queries, k, buildMs: Math.round(buildMs), medianMs: percentile(times, 0.5), p95Ms: percentile(times, 0.95) };
};
