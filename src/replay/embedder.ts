/**
 * A sparse vector: bucket indices in ascending order with their weights. The hashed embedder
 * produces these; they are L2-normalised, so a dot product is a cosine similarity.
 */
export interface SparseVector {
  readonly indices: Uint32Array;
  readonly values: Float32Array;
}

export type EmbeddingVector = SparseVector | Float32Array;

/**
 * Turns texts into vectors. `kind` says whether an LLM endpoint is behind it or an embedded
 * default (DESIGN.md: never pretend an embedded default is an LLM).
 */
export interface Embedder<V extends EmbeddingVector = EmbeddingVector> {
  readonly name: string;
  readonly kind: 'embedded' | 'llm';
  embed(texts: string[]): Promise<V[]>;
}

/** Dot product of two sparse vectors with sorted indices (cosine when both are L2-normalised). */
export const sparseDot = (a: SparseVector, b: SparseVector): number => {
  let i = 0;
  let j = 0;
  let sum = 0;
  const ai = a.indices;
  const bi = b.indices;
  while (i < ai.length && j < bi.length) {
    const x = ai[i] as number;
    const y = bi[j] as number;
    if (x === y) {
      sum += (a.values[i] as number) * (b.values[j] as number);
      i += 1;
      j += 1;
    } else if (x < y) i += 1;
    else j += 1;
  }
  return sum;
};

/** Cosine similarity of two dense vectors (not assumed normalised). */
export const denseCosine = (a: Float32Array, b: Float32Array): number => {
  let dot = 0;
  let na = 0;
  let nb = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 1) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
};
