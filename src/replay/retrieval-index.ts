import type { Observation } from '../protocol/index.js';
import { sparseDot, type SparseVector } from './embedder.js';
import { HashedEmbedder } from './hashed-embedder.js';
import type { ReplayBuffer, ReplayTransition } from './replay-buffer.js';

/** The action name before `[` (`click[Buy Now]` → `click`), lower-cased; the whole action when it has no `[`. */
export const actionKind = (action: string): string => {
  const bracket = action.indexOf('[');
  return (bracket === -1 ? action : action.slice(0, bracket)).trim().toLowerCase();
};

/** The text embedded for a (state, action) pair. */
export const retrievalText = (state: Observation, action: string): string => `${state.text}\n${action}`;

/** Options of `RetrievalIndex`; the defaults keep k = 4 over 100,000 transitions within a few ms. */
export interface RetrievalIndexOptions {
  /** Default: a fresh `HashedEmbedder` (4096 buckets) whose IDF follows what the index holds. */
  embedder?: HashedEmbedder;
  /** Canonical key of (state, action) for exact-match lookup (e.g. a site profile's). Default: none. */
  canonicalKey?: (state: Observation, action: string) => string;
  /** Query buckets used for candidate generation, highest weight first. Default: 64. */
  maxQueryTerms?: number;
  /** Postings scanned per query before candidate generation stops (bounds the worst case). Default: 100,000. */
  maxPostings?: number;
  /** Candidates re-scored with the exact cosine, at least this many or 8·k. Default: 64. */
  candidates?: number;
  /** Re-embed everything once the IDF's document count has grown by this factor. Default: 2. */
  reindexGrowth?: number;
}

export interface RetrievalQuery {
  state: Observation;
  action: string;
}

export interface RetrieveOptions {
  /** Number of results. Default: 4. */
  k?: number;
  /** Only transitions whose `actionKind` equals this (e.g. `click`). Default: any. */
  actionKind?: string;
  /** With exact canonical-key hits, return only those (no nearest-neighbour search). Default: false. */
  exactOnly?: boolean;
}

export interface RetrievalResult {
  id: string;
  /** 1 for an exact canonical-key hit, the cosine similarity otherwise. */
  similarity: number;
  match: 'exact' | 'nearest';
  transition: ReplayTransition;
}

interface Doc {
  id: string;
  transition: ReplayTransition;
  vector: SparseVector;
  kind: string;
  key: string | undefined;
}

/** A growable posting list of (slot, weight). */
class Postings {
  slots = new Int32Array(4);
  weights = new Float32Array(4);
  length = 0;

  push(slot: number, weight: number): void {
    if (this.length === this.slots.length) {
      const slots = new Int32Array(this.length * 2);
      slots.set(this.slots);
      this.slots = slots;
      const weights = new Float32Array(this.length * 2);
      weights.set(this.weights);
      this.weights = weights;
    }
    this.slots[this.length] = slot;
    this.weights[this.length] = weight;
    this.length += 1;
  }
}

/**
 * Top-k retrieval over replay transitions by cosine similarity of hashed TF-IDF embeddings of
 * (state, action). A sparse inverted index generates candidates from the query's highest-weight
 * buckets (bounded by `maxQueryTerms` and `maxPostings`); the best `candidates` are re-scored with
 * the exact cosine, so reported similarities are exact while recall is approximate for very long
 * or very common queries. With `canonicalKey`, exact key hits come first (similarity 1) and
 * nearest neighbours fill the rest of k. Removal leaves tombstones that `reindex` compacts;
 * `reindex` also re-embeds with the current IDF and runs by itself when the corpus doubles or tombstones
 * outnumber live entries.
 */
export class RetrievalIndex {
  readonly embedder: HashedEmbedder;
  private readonly options: Required<Omit<RetrievalIndexOptions, 'embedder' | 'canonicalKey'>>;
  private readonly canonicalKey: ((state: Observation, action: string) => string) | undefined;
  private docs: (Doc | undefined)[] = [];
  private readonly slotById = new Map<string, number>();
  private readonly exact = new Map<string, string[]>();
  private postings: (Postings | undefined)[] = [];
  private scores = new Float32Array(0);
  private touched = new Int32Array(0);
  private builtAt = 0;
  private tombstones = 0;

  constructor(options: RetrievalIndexOptions = {}) {
    this.embedder = options.embedder ?? new HashedEmbedder();
    this.canonicalKey = options.canonicalKey;
    this.options = {
      maxQueryTerms: options.maxQueryTerms ?? 64,
      maxPostings: options.maxPostings ?? 100_000,
      candidates: options.candidates ?? 64,
      reindexGrowth: options.reindexGrowth ?? 2,
    };
    this.postings = new Array<Postings | undefined>(this.embedder.dimension);
  }

  get size(): number {
    return this.slotById.size;
  }

  /** Indexes what `buffer` holds and follows its appends and evictions; returns the unsubscribe. */
  attach(buffer: ReplayBuffer): () => void {
    for (const t of buffer.values()) this.add(t);
    return buffer.subscribe({ added: (t) => this.add(t), removed: (t) => this.remove(t.id) });
  }

  add(t: ReplayTransition): void {
    if (this.slotById.has(t.id)) return;
    const text = retrievalText(t.state, t.action);
    this.embedder.observe([text]);
    const key = this.canonicalKey?.(t.state, t.action);
    const doc: Doc = { id: t.id, transition: t, vector: this.embedder.embedSync(text), kind: actionKind(t.action), key };
    this.insert(doc);
    if (key !== undefined) {
      const ids = this.exact.get(key);
      if (ids === undefined) this.exact.set(key, [t.id]);
      else ids.push(t.id);
    }
  }

  remove(id: string): boolean {
    const slot = this.slotById.get(id);
    const doc = slot === undefined ? undefined : this.docs[slot];
    if (slot === undefined || doc === undefined) return false;
    this.slotById.delete(id);
    this.docs[slot] = undefined; // tombstone: postings are skipped until `reindex` compacts them
    this.tombstones += 1;
    this.embedder.forget([retrievalText(doc.transition.state, doc.transition.action)]);
    if (doc.key !== undefined) {
      const ids = (this.exact.get(doc.key) ?? []).filter((other) => other !== id);
      if (ids.length === 0) this.exact.delete(doc.key);
      else this.exact.set(doc.key, ids);
    }
    return true;
  }

  /** Re-embeds every transition with the current IDF and drops tombstones. */
  reindex(): void {
    const live = this.docs.filter((doc): doc is Doc => doc !== undefined);
    this.docs = [];
    this.slotById.clear();
    this.postings = new Array<Postings | undefined>(this.embedder.dimension);
    for (const doc of live) {
      doc.vector = this.embedder.embedSync(retrievalText(doc.transition.state, doc.transition.action));
      this.insert(doc);
    }
    this.builtAt = this.embedder.documentCount;
    this.tombstones = 0;
  }

  private insert(doc: Doc): void {
    const slot = this.docs.length;
    this.docs.push(doc);
    this.slotById.set(doc.id, slot);
    const { indices, values } = doc.vector;
    for (let i = 0; i < indices.length; i += 1) {
      const bucket = indices[i] as number;
      let list = this.postings[bucket];
      if (list === undefined) {
        list = new Postings();
        this.postings[bucket] = list;
      }
      list.push(slot, values[i] as number);
    }
  }

  /** Exact canonical-key hits first, then the nearest neighbours, up to `k`. */
  retrieve(query: RetrievalQuery, options: RetrieveOptions = {}): RetrievalResult[] {
    const k = options.k ?? 4;
    if (k <= 0) return [];
    const kind = options.actionKind?.toLowerCase();
    const results: RetrievalResult[] = [];
    const taken = new Set<number>();
    if (this.canonicalKey !== undefined) {
      for (const id of this.exact.get(this.canonicalKey(query.state, query.action)) ?? []) {
        const slot = this.slotById.get(id);
        const doc = slot === undefined ? undefined : this.docs[slot];
        if (slot === undefined || doc === undefined || (kind !== undefined && doc.kind !== kind)) continue;
        results.push({ id, similarity: 1, match: 'exact', transition: doc.transition });
        taken.add(slot);
        if (results.length === k) return results;
      }
      if (options.exactOnly === true && results.length > 0) return results;
    }
    const grown = this.embedder.documentCount >= this.builtAt * this.options.reindexGrowth && this.embedder.documentCount > 0;
    if (grown || this.tombstones > this.slotById.size) this.reindex();
    const vector = this.embedder.embedSync(retrievalText(query.state, query.action));
    for (const slot of this.nearest(vector, k - results.length, kind, taken)) {
      const doc = this.docs[slot] as Doc;
      results.push({ id: doc.id, similarity: sparseDot(vector, doc.vector), match: 'nearest', transition: doc.transition });
    }
    return results;
  }

  /** Slots of the nearest neighbours, best first. */
  private nearest(query: SparseVector, k: number, kind: string | undefined, taken: ReadonlySet<number>): number[] {
    if (k <= 0) return [];
    if (this.scores.length < this.docs.length) {
      this.scores = new Float32Array(Math.max(this.docs.length, this.scores.length * 2));
      this.touched = new Int32Array(this.scores.length);
    }
    const scores = this.scores;
    const touched = this.touched;
    let touchedCount = 0;
    // Highest-weight (rarest) query buckets first: they discriminate most and have the shortest postings.
    const order = Array.from(query.indices.keys()).sort((a, b) => (query.values[b] as number) - (query.values[a] as number));
    let scanned = 0;
    for (let t = 0; t < order.length && t < this.options.maxQueryTerms; t += 1) {
      const i = order[t] as number;
      const list = this.postings[query.indices[i] as number];
      if (list === undefined) continue;
      if (scanned > 0 && scanned + list.length > this.options.maxPostings) continue;
      scanned += list.length;
      const weight = query.values[i] as number;
      const { slots, weights, length } = list;
      for (let p = 0; p < length; p += 1) {
        const slot = slots[p] as number;
        const before = scores[slot] as number;
        if (before === 0) {
          touched[touchedCount] = slot;
          touchedCount += 1;
        }
        scores[slot] = before + weight * (weights[p] as number);
      }
    }
    const pool = Math.max(this.options.candidates, 8 * k);
    const heap = new MinHeap(pool);
    const checkTaken = taken.size > 0;
    for (let i = 0; i < touchedCount; i += 1) {
      const slot = touched[i] as number;
      const score = scores[slot] as number;
      scores[slot] = 0;
      // Cheap rejection first: most touched slots score below the pool's current minimum.
      if (!heap.wouldAccept(score)) continue;
      const doc = this.docs[slot];
      if (doc === undefined || (checkTaken && taken.has(slot)) || (kind !== undefined && doc.kind !== kind)) continue;
      heap.offer(slot, score);
    }
    return heap
      .slots()
      .map((slot) => ({ slot, exact: sparseDot(query, (this.docs[slot] as Doc).vector) }))
      .sort((a, b) => b.exact - a.exact)
      .slice(0, k)
      .map(({ slot }) => slot);
  }
}

/** A fixed-capacity min-heap keeping the `capacity` highest-scoring slots. */
class MinHeap {
  private readonly keys: number[] = [];
  private readonly values: number[] = [];

  constructor(private readonly capacity: number) {}

  offer(key: number, value: number): void {
    if (this.keys.length < this.capacity) {
      this.keys.push(key);
      this.values.push(value);
      this.up(this.keys.length - 1);
    } else if (value > (this.values[0] as number)) {
      this.keys[0] = key;
      this.values[0] = value;
      this.down(0);
    }
  }

  wouldAccept(value: number): boolean {
    return this.keys.length < this.capacity || value > (this.values[0] as number);
  }

  slots(): number[] {
    return [...this.keys];
  }

  private swap(a: number, b: number): void {
    [this.keys[a], this.keys[b]] = [this.keys[b] as number, this.keys[a] as number];
    [this.values[a], this.values[b]] = [this.values[b] as number, this.values[a] as number];
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((this.values[parent] as number) <= (this.values[i] as number)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.keys.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < n && (this.values[l] as number) < (this.values[smallest] as number)) smallest = l;
      if (r < n && (this.values[r] as number) < (this.values[smallest] as number)) smallest = r;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }
}
