import type { Observation } from '../protocol/index.js';
import { denseCosine, type Embedder } from './embedder.js';
import type { ReplayBuffer, ReplayTransition } from './replay-buffer.js';
import { actionKind, retrievalText, type RetrievalQuery, type RetrievalResult, type RetrieveOptions } from './retrieval-index.js';

/** Options of `DenseRetrievalIndex`. */
export interface DenseRetrievalIndexOptions {
  /** Dense embeddings, e.g. an `OpenAIEmbedder` (`--embed openai:NAME`). */
  embedder: Embedder<Float32Array>;
  /** Canonical key of (state, action) for exact-match lookup. Default: none. */
  canonicalKey?: (state: Observation, action: string) => string;
  /** Told how many transitions are embedded so far (embedding a large buffer takes a while). */
  onProgress?: (embedded: number, total: number) => void;
}

interface DenseDoc {
  transition: ReplayTransition;
  vector: Float32Array;
  kind: string;
}

/**
 * Top-k retrieval by cosine similarity of dense embeddings from an embeddings endpoint. Exact
 * scan: endpoint embeddings are for buffers of modest size; the embedded default (the sparse
 * `RetrievalIndex`) is the one built for 100k transitions. New transitions are embedded in the
 * background; `retrieve` waits for what is pending, so results never miss an appended step.
 */
export class DenseRetrievalIndex {
  private readonly docs = new Map<string, DenseDoc>();
  private readonly exact = new Map<string, string[]>();
  private pending: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(private readonly options: DenseRetrievalIndexOptions) {}

  get size(): number {
    return this.docs.size;
  }

  /** Embeds what `buffer` holds (awaited) and follows its appends and evictions; returns the unsubscribe. */
  async attach(buffer: ReplayBuffer): Promise<() => void> {
    const unsubscribe = buffer.subscribe({ added: (t) => this.enqueue([t]), removed: (t) => this.remove(t.id) });
    this.enqueue([...buffer.values()]);
    await this.ready();
    return unsubscribe;
  }

  /** Resolves once every queued transition is embedded; rejects with the endpoint's error. */
  async ready(): Promise<void> {
    await this.pending;
    if (this.failure !== undefined) throw this.failure;
  }

  private enqueue(ts: ReplayTransition[]): void {
    this.pending = this.pending.then(() => this.embedAll(ts)).catch((error: unknown) => {
      this.failure ??= error;
    });
  }

  private async embedAll(ts: ReplayTransition[]): Promise<void> {
    const batch = 256;
    for (let i = 0; i < ts.length; i += batch) {
      const slice = ts.slice(i, i + batch);
      const vectors = await this.options.embedder.embed(slice.map((t) => retrievalText(t.state, t.action)));
      slice.forEach((t, j) => {
        const vector = vectors[j];
        if (vector !== undefined) this.insert(t, vector);
      });
      this.options.onProgress?.(Math.min(i + batch, ts.length), ts.length);
    }
  }

  private insert(t: ReplayTransition, vector: Float32Array): void {
    if (this.docs.has(t.id)) return;
    this.docs.set(t.id, { transition: t, vector, kind: actionKind(t.action) });
    const key = this.options.canonicalKey?.(t.state, t.action);
    if (key !== undefined) this.exact.set(key, [...(this.exact.get(key) ?? []), t.id]);
  }

  remove(id: string): boolean {
    const doc = this.docs.get(id);
    if (!doc) return false;
    this.docs.delete(id);
    const key = this.options.canonicalKey?.(doc.transition.state, doc.transition.action);
    if (key !== undefined) {
      const ids = (this.exact.get(key) ?? []).filter((other) => other !== id);
      if (ids.length === 0) this.exact.delete(key);
      else this.exact.set(key, ids);
    }
    return true;
  }

  /** Exact canonical-key hits first, then the nearest neighbours by cosine, up to `k`. */
  async retrieve(query: RetrievalQuery, options: RetrieveOptions = {}): Promise<RetrievalResult[]> {
    const k = options.k ?? 4;
    if (k <= 0) return [];
    await this.ready();
    const kind = options.actionKind?.toLowerCase();
    const results: RetrievalResult[] = [];
    const taken = new Set<string>();
    const key = this.options.canonicalKey?.(query.state, query.action);
    for (const id of key === undefined ? [] : (this.exact.get(key) ?? [])) {
      const doc = this.docs.get(id);
      if (!doc || (kind !== undefined && doc.kind !== kind)) continue;
      results.push({ id, similarity: 1, match: 'exact', transition: doc.transition });
      taken.add(id);
      if (results.length === k) return results;
    }
    if (options.exactOnly === true && results.length > 0) return results;
    const [vector] = await this.options.embedder.embed([retrievalText(query.state, query.action)]);
    if (vector === undefined) return results;
    const scored: Array<{ id: string; similarity: number; doc: DenseDoc }> = [];
    for (const [id, doc] of this.docs) {
      if (taken.has(id) || (kind !== undefined && doc.kind !== kind)) continue;
      scored.push({ id, similarity: denseCosine(vector, doc.vector), doc });
    }
    scored.sort((a, b) => b.similarity - a.similarity);
    for (const s of scored.slice(0, k - results.length)) results.push({ id: s.id, similarity: s.similarity, match: 'nearest', transition: s.doc.transition });
    return results;
  }
}
