import { toRetrievedTransition } from '../../src/dream/buffer-retrieve.js';
import type { Retrieve } from '../../src/dream/retrieval-experience-model.js';
import type { EnvName, SiteProfile, Transition } from '../../src/protocol/index.js';
import { actionKind, recordedProvenance, ReplayBuffer, toReplayTransition } from '../../src/replay/index.js';
import type { AnnotationItem } from './annotation-item.js';
import type { AnnotationTemplates } from './annotation-prompts.js';
import { branchOf, isAnnotatableReal, transitionItemId, type AnnotationSource } from './annotation-sources.js';
import { reasoningMessages, reasoningReask } from './reasoning-prompt.js';
import { checkReasoningAnswer } from './teacher-answer.js';

/** What the reasoning items are built from. */
export interface ReasoningItemsOptions {
  sources: readonly AnnotationSource[];
  templates: AnnotationTemplates;
  profileFor: (env: EnvName) => SiteProfile;
  /** The experience model's retrieval over the buffer of one site (see `reasoningBuffers`). */
  retrieveFor: (env: EnvName) => Retrieve;
  /** Steps of history shown. */
  historyLength: number;
  /** Demonstrations shown. */
  k: number;
  maxContextStateChars: number;
}

/**
 * The episode a transition belongs to for retrieval's exclusion: its own, or for a branched
 * alternative the expert episode it branched from (its siblings and the expert's steps share the
 * page it left from, so they would give the outcome away).
 */
export const episodeGroup = (t: Transition): string => branchOf(t)?.of_episode ?? t.episode_id;

/**
 * The replay buffers retrieval runs over, one per site: every annotatable real transition of the
 * sources, with the replay buffer's ids (`run/episode/step`) and dedupe. Also how many buffer
 * transitions each episode group holds, so a query can ask for k more than it will drop.
 */
export interface ReasoningBuffers {
  buffers: Map<EnvName, ReplayBuffer>;
  /** Buffer transitions per episode group. */
  groupSizes: Map<string, number>;
  /** The episode group of each buffer transition, by buffer id. */
  groupOf: Map<string, string>;
}

export const reasoningBuffers = (sources: readonly AnnotationSource[]): ReasoningBuffers => {
  const buffers = new Map<EnvName, ReplayBuffer>();
  for (const source of sources) {
    for (const t of source.transitions) {
      if (!isAnnotatableReal(t)) continue;
      let buffer = buffers.get(t.env);
      if (!buffer) {
        buffer = new ReplayBuffer();
        buffers.set(t.env, buffer);
      }
      buffer.append(toReplayTransition(t, recordedProvenance(t)));
    }
  }
  const groupSizes = new Map<string, number>();
  const groupOf = new Map<string, string>();
  for (const buffer of buffers.values()) {
    for (const t of buffer.values()) {
      const group = episodeGroup(t);
      groupOf.set(t.id, group);
      groupSizes.set(group, (groupSizes.get(group) ?? 0) + 1);
    }
  }
  return { buffers, groupSizes, groupOf };
};

/** The earlier steps of a transition's trajectory in its run directory: its episode's, or (a branch) the expert's before the branched state. */
const historyOf = (t: Transition, byEpisode: ReadonlyMap<string, Transition[]>): Transition[] => {
  const branch = branchOf(t);
  const steps = byEpisode.get(branch ? branch.of_episode : t.episode_id) ?? [];
  const before = branch ? branch.of_step : t.step;
  return steps.filter((s) => s.step < before);
};

/**
 * One item per real transition of the sources (dreamed steps and steps that failed are not
 * annotated; a transition found in two directories is annotated once, from the first). Each is
 * shown the top-k transitions the experience model would retrieve for it — the same index and
 * key — from every source, except itself and the rest of its episode.
 */
export const reasoningItems = (options: ReasoningItemsOptions, groups: Pick<ReasoningBuffers, 'groupSizes' | 'groupOf'>): AnnotationItem[] => {
  const items: AnnotationItem[] = [];
  const seen = new Set<string>();
  for (const source of options.sources) {
    const byEpisode = new Map<string, Transition[]>();
    for (const t of source.transitions) {
      if (branchOf(t) || t.source !== 'real') continue;
      byEpisode.set(t.episode_id, [...(byEpisode.get(t.episode_id) ?? []), t]);
    }
    for (const steps of byEpisode.values()) steps.sort((a, b) => a.step - b.step);
    for (const t of source.transitions) {
      const id = transitionItemId(t);
      if (!isAnnotatableReal(t) || seen.has(id)) continue;
      seen.add(id);
      const group = episodeGroup(t);
      const profile = options.profileFor(t.env);
      const history = historyOf(t, byEpisode);
      items.push({
        id,
        source: { run_dir: source.runDir, run_id: t.run_id, episode_id: t.episode_id, step: t.step },
        prepare: async () => {
          const excluded = groups.groupSizes.get(group) ?? 0;
          const hits = options.k > 0 ? await options.retrieveFor(t.env)({ state: t.state, action: t.action }, { k: options.k + excluded, actionKind: actionKind(t.action) }) : [];
          const demonstrations = hits.filter((h) => groups.groupOf.get(h.id) !== group).slice(0, options.k).map(toRetrievedTransition);
          const messages = reasoningMessages(options.templates, {
            profile, itemId: id, transition: t, history, demonstrations, historyLength: options.historyLength, maxContextStateChars: options.maxContextStateChars,
          });
          return { messages, fields: { retrieved: demonstrations.map((d) => d.id) } };
        },
        check: (raw) => checkReasoningAnswer(raw, t.reward),
        reask: (reason) => reasoningReask(options.templates, reason),
      });
    }
  }
  return items;
};
