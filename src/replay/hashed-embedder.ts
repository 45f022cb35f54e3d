import type { Embedder, SparseVector } from './embedder.js';

/** Options of `HashedEmbedder`. */
export interface HashedEmbedderOptions {
  /** Number of hash buckets (the vector dimension). Default: 4096. */
  dimension?: number;
}

export const defaultHashedDimension = 4096;

/** Lower-cased word tokens (letters and digits); punctuation such as `[SEP]` brackets is dropped. */
export const tokenize = (text: string): string[] => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];

/** FNV-1a 32-bit: cheap, stable across runs and platforms (bucket ids must not change between processes). */
const fnv1a = (text: string): number => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
};

/**
 * The embedded default for `--embed hashed`: TF-IDF over word unigrams and bigrams hashed into
 * `dimension` buckets, L2-normalised. Term frequency is sublinear (1 + ln tf); IDF is the smoothed
 * ln((1 + N) / (1 + df)) + 1 over the documents `observe`d so far, so it follows the buffer as it
 * grows (vectors embedded earlier keep their old IDF until re-embedded — see `RetrievalIndex`).
 */
export class HashedEmbedder implements Embedder<SparseVector> {
  readonly kind = 'embedded' as const;
  readonly name: string;
  readonly dimension: number;
  private readonly df: Uint32Array;
  private docs = 0;

  constructor(options: HashedEmbedderOptions = {}) {
    this.dimension = options.dimension ?? defaultHashedDimension;
    this.name = `hashed-tfidf-${this.dimension}`;
    this.df = new Uint32Array(this.dimension);
  }

  /** Number of documents the IDF is computed over. */
  get documentCount(): number {
    return this.docs;
  }

  /** Bucket counts of a text's unigrams and bigrams. */
  termCounts(text: string): Map<number, number> {
    const tokens = tokenize(text);
    const counts = new Map<number, number>();
    const add = (term: string): void => {
      const bucket = fnv1a(term) % this.dimension;
      counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
    };
    for (let i = 0; i < tokens.length; i += 1) {
      add(tokens[i] as string);
      // The space cannot occur inside a token, so a bigram never collides with a unigram's spelling.
      if (i + 1 < tokens.length) add(`${tokens[i] as string} ${tokens[i + 1] as string}`);
    }
    return counts;
  }

  /** Adds documents to the IDF statistics. */
  observe(texts: readonly string[]): void {
    for (const text of texts) {
      for (const bucket of this.termCounts(text).keys()) this.df[bucket] = (this.df[bucket] ?? 0) + 1;
      this.docs += 1;
    }
  }

  /** Removes documents observed earlier (e.g. evicted from the buffer) from the IDF statistics. */
  forget(texts: readonly string[]): void {
    for (const text of texts) {
      for (const bucket of this.termCounts(text).keys()) this.df[bucket] = Math.max(0, (this.df[bucket] ?? 0) - 1);
      this.docs = Math.max(0, this.docs - 1);
    }
  }

  /** Current IDF of a bucket. */
  idf(bucket: number): number {
    return Math.log((1 + this.docs) / (1 + (this.df[bucket] ?? 0))) + 1;
  }

  /** Document frequency of a bucket (how many observed documents contain it). */
  documentFrequency(bucket: number): number {
    return this.df[bucket] ?? 0;
  }

  /** Bucket of a single term as the embedder hashes it (unigram, or two words joined by a space). */
  bucketOf(term: string): number {
    return fnv1a(term.toLowerCase()) % this.dimension;
  }

  embedSync(text: string): SparseVector {
    const counts = this.termCounts(text);
    const indices = Uint32Array.from(counts.keys()).sort();
    const values = new Float32Array(indices.length);
    let norm = 0;
    indices.forEach((bucket, i) => {
      const weight = (1 + Math.log(counts.get(bucket) as number)) * this.idf(bucket);
      values[i] = weight;
      norm += weight * weight;
    });
    if (norm > 0) {
      const scale = 1 / Math.sqrt(norm);
      for (let i = 0; i < values.length; i += 1) values[i] = (values[i] as number) * scale;
    }
    return { indices, values };
  }

  embed(texts: string[]): Promise<SparseVector[]> {
    return Promise.resolve(texts.map((text) => this.embedSync(text)));
  }
}
