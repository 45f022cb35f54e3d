import type { Observation, SiteProfile } from '../protocol/index.js';
import { DenseRetrievalIndex, OpenAIEmbedder, RetrievalIndex, type ReplayBuffer } from '../replay/index.js';
import type { RetrievedTransition } from './experience-model.js';
import type { Retrieve, RetrievalHit } from './retrieval-experience-model.js';

/** How the experience model's retrieval over a replay buffer is built (`--embed`). */
export interface BufferRetrieveOptions {
  profile: SiteProfile;
  buffer: ReplayBuffer;
  /** An embeddings endpoint's model (`--embed openai:NAME`); default the embedded hashed TF-IDF. */
  embedModel?: string | undefined;
  embedBaseUrl?: string | undefined;
  /** Told how far embedding the buffer through an endpoint has got. */
  onProgress?: ((message: string) => void) | undefined;
}

export interface BufferRetrieve {
  retrieve: Retrieve;
  /** Stops following the buffer. */
  unsubscribe: () => void;
}

/**
 * The canonical (state, action) key of exact-match retrieval, from the state text alone on both
 * sides: dreamed states carry no URL, recorded real ones do.
 */
export const retrievalCanonicalKey =
  (profile: Pick<SiteProfile, 'canonicalKey'>) =>
  (state: Pick<Observation, 'text'>, action: string): string =>
    `${profile.canonicalKey({ text: state.text }).key}\u0000${action.trim().toLowerCase()}`;

/**
 * The retrieval every experience model uses (and what a teacher annotating transitions for it is
 * shown): exact canonical-key hits first, then nearest neighbours by the hashed TF-IDF index or an
 * embeddings endpoint, following the buffer as it co-evolves.
 */
export const createBufferRetrieve = async (options: BufferRetrieveOptions): Promise<BufferRetrieve> => {
  const canonicalKey = retrievalCanonicalKey(options.profile);
  if (options.embedModel === undefined) {
    // Fewer postings scanned than the index default: a dream step's budget is a few ms at 100k transitions.
    const index = new RetrievalIndex({ canonicalKey, maxPostings: 20_000 });
    const unsubscribe = index.attach(options.buffer);
    // An empty index has nothing to find: skip embedding the query.
    return { retrieve: (query, o) => (index.size === 0 ? [] : index.retrieve(query, o)), unsubscribe };
  }
  const embedder = new OpenAIEmbedder({ model: options.embedModel, ...(options.embedBaseUrl === undefined ? {} : { baseURL: options.embedBaseUrl }) });
  const index = new DenseRetrievalIndex({
    embedder,
    canonicalKey,
    onProgress: (done, total) => options.onProgress?.(`embedding the buffer: ${done}/${total}`),
  });
  const unsubscribe = await index.attach(options.buffer);
  return { retrieve: (query, o) => index.retrieve(query, o), unsubscribe };
};

/** A retrieval hit as the experience prompt shows it: a demonstration. */
export const toRetrievedTransition = (hit: RetrievalHit): RetrievedTransition => ({
  id: hit.id,
  similarity: hit.similarity,
  state: hit.transition.state.text,
  action: hit.transition.action,
  next_state: hit.transition.next_state.text,
  reward: hit.transition.reward,
  done: hit.transition.done,
});
