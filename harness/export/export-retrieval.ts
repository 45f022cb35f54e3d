import { retrievalCanonicalKey, toRetrievedTransition } from '../../src/dream/buffer-retrieve.js';
import type { RetrievedTransition } from '../../src/dream/experience-model.js';
import type { Observation, SiteProfile, Transition } from '../../src/protocol/index.js';
import { actionKind, recordedProvenance, ReplayBuffer, RetrievalIndex, toReplayTransition } from '../../src/replay/index.js';

/** The episode a transition belongs to for exclusion: a branch alternative belongs to its expert episode. */
const episodeGroup = (t: Pick<Transition, 'run_id' | 'episode_id' | 'info'>): string => {
  const branch = t.info['branch'] as { of_episode?: unknown } | undefined;
  return `${t.run_id}\u0000${typeof branch?.of_episode === 'string' ? branch.of_episode : t.episode_id}`;
};

/**
 * The demonstrations of an experience-sft record: the retrieval the experience model uses at
 * inference (a replay buffer of the recorded transitions, hashed TF-IDF with exact canonical-key
 * hits first, neighbours of the same action kind), over the exported transitions, leaving out the
 * transition's own episode (and its branches) so that a record never shows its own answer.
 * `for(t)` is the `retrieve` an `OpenAIExperienceModel` takes, so export and inference agree.
 */
export interface ExportRetrieval {
  for(transition: Transition): (state: Observation, action: string, k: number) => RetrievedTransition[];
}

export const createExportRetrieval = (pool: readonly Transition[], profile: Pick<SiteProfile, 'canonicalKey'>): ExportRetrieval => {
  const buffer = new ReplayBuffer();
  for (const t of pool) buffer.append(toReplayTransition(t, recordedProvenance(t)));
  // The experience model's own key and index settings (src/dream/buffer-retrieve.ts).
  const index = new RetrievalIndex({ canonicalKey: retrievalCanonicalKey(profile), maxPostings: 20_000 });
  index.attach(buffer);
  const groupSize = new Map<string, number>();
  for (const t of buffer.values()) groupSize.set(episodeGroup(t), (groupSize.get(episodeGroup(t)) ?? 0) + 1);
  return {
    for: (transition) => {
      const group = episodeGroup(transition);
      return (state, action, k) => {
        if (index.size === 0 || k <= 0) return [];
        const hits = index.retrieve({ state, action }, { k: k + (groupSize.get(group) ?? 0), actionKind: actionKind(action) });
        return hits
          .filter((h) => episodeGroup(h.transition) !== group)
          .slice(0, k)
          .map(toRetrievedTransition);
      };
    },
  };
};
