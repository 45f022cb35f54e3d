import { ConfigInvalidError } from '../../src/env/errors.js';
import type { EnvName, SiteProfile, Transition } from '../../src/protocol/index.js';
import type { AnnotationItem } from './annotation-item.js';
import type { AnnotationTemplates } from './annotation-prompts.js';
import { branchOf, transitionItemId, type AnnotationSource } from './annotation-sources.js';
import { reflectionMessages, reflectionReask } from './reflection-prompt.js';
import { checkReflectionAnswer } from './teacher-answer.js';

export interface ReflectionItemsOptions {
  sources: readonly AnnotationSource[];
  templates: AnnotationTemplates;
  profileFor: (env: EnvName) => SiteProfile;
}

/** What reflection items are made of, per state: the expert step and its alternatives. */
export interface BranchedState {
  source: AnnotationSource;
  expert: Transition;
  alternatives: Transition[];
}

/**
 * The expert states with branches of `branch` run directories: alternatives grouped by the state
 * they branched from (`info.branch.of_episode`, `of_step`), each with the expert's step at that
 * state (copied into the same directory by `branch`). Alternatives that failed (no outcome) are
 * left out; a state left with none, or whose expert step is not there, is not a reflection item.
 */
export const branchedStates = (sources: readonly AnnotationSource[]): BranchedState[] => {
  const states: BranchedState[] = [];
  for (const source of sources) {
    const experts = new Map<string, Transition>();
    const alternatives = new Map<string, Transition[]>();
    for (const t of source.transitions) {
      const branch = branchOf(t);
      if (!branch) {
        experts.set(`${t.episode_id}#${t.step}`, t);
        continue;
      }
      if (t.info.error !== undefined) continue;
      const key = `${branch.of_episode}#${branch.of_step}`;
      alternatives.set(key, [...(alternatives.get(key) ?? []), t]);
    }
    for (const [key, alts] of alternatives) {
      const expert = experts.get(key);
      if (expert) states.push({ source, expert, alternatives: alts });
    }
  }
  return states;
};

/** One item per expert state with branches; none at all is CONFIG_INVALID naming the directories. */
export const reflectionItems = (options: ReflectionItemsOptions): AnnotationItem[] => {
  const states = branchedStates(options.sources);
  if (states.length === 0) {
    throw new ConfigInvalidError(`--from ${options.sources.map((s) => s.runDir).join(' ')}: no expert states with branches (reflection reads run directories written by \`dreambridge branch\`)`);
  }
  const seen = new Set<string>();
  const items: AnnotationItem[] = [];
  for (const { source, expert, alternatives } of states) {
    const id = transitionItemId(expert);
    if (seen.has(id)) continue;
    seen.add(id);
    const profile = options.profileFor(expert.env);
    items.push({
      id,
      source: { run_dir: source.runDir, run_id: expert.run_id, episode_id: expert.episode_id, step: expert.step },
      prepare: () =>
        Promise.resolve({
          messages: reflectionMessages(options.templates, { profile, itemId: id, expert, alternatives }),
          fields: {
            expert_action: expert.action,
            state: expert.state.text,
            alternatives: alternatives.map((a) => ({ action: a.action, episode_id: a.episode_id, reward: a.reward })),
          },
        }),
      check: checkReflectionAnswer,
      reask: (reason) => reflectionReask(options.templates, reason),
    });
  }
  return items;
};
