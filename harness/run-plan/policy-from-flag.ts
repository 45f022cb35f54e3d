import { ConfigInvalidError } from '../../src/env/errors.js';
import type { Policy } from '../../src/env/policy.js';
import { openAIModelOf } from '../../src/llm/openai-model-flag.js';
import type { SiteDefinition } from '../../src/env/site-definition.js';
import type { SiteProfile, Task } from '../../src/protocol/index.js';
import { createOraclePolicy, createRandomPolicy, createReplayPolicy } from '../policies/index.js';
import { replayActions } from '../policies/replay-actions.js';

/** What a policy flag needs besides its name. */
export interface PolicyFlagContext {
  site: Pick<SiteDefinition, 'displayName' | 'policies'>;
  profile: SiteProfile;
  seed: number;
  /** `--actions FILE` for the replay and oracle policies. */
  actions?: string;
  /** `--policy-base-url` for openai:NAME. */
  baseUrl?: string;
  /** Reference actions of a task (the local sites' oracles). */
  referenceActions?: (task: Task) => readonly string[] | undefined;
}

export interface PolicyChoice {
  make: (task: Task) => Policy;
  manifest: Record<string, unknown>;
}

const GENERIC = ['random', 'replay', 'oracle', 'openai:NAME'];

/** The oracle: a task's reference actions (the site's, else `--actions FILE`), targets resolved by role and name. */
const oracleOf = (context: PolicyFlagContext): ((task: Task) => Policy) => {
  const fromFile = context.actions ? replayActions(context.actions) : undefined;
  if (!context.referenceActions && !fromFile) throw new ConfigInvalidError(`--policy oracle needs reference actions, which these ${context.site.displayName} tasks do not have: give --actions FILE`);
  const findId = context.profile.findElement?.bind(context.profile) ?? (() => undefined);
  return (task) => {
    const actions = context.referenceActions?.(task) ?? fromFile?.(task);
    if (!actions) throw new ConfigInvalidError(`--policy oracle: no reference sequence for task ${task.task_id} (the fixture tasks have them; elsewhere give --actions)`);
    // goto placeholders (__SHOPPING_ADMIN__) are resolved by the env for the episode's sites.
    return createOraclePolicy({ actions, findId });
  };
};

/** A policy per episode from a flag: the site's own (e.g. WebShop's heuristic), random, replay, oracle or openai:NAME. */
export const policyFromFlag = async (flag: string, context: PolicyFlagContext): Promise<PolicyChoice> => {
  const model = openAIModelOf('--policy', flag);
  if (model !== undefined) {
    const { createOpenAIChatPolicy } = await import('../policies/openai-chat-policy.js');
    return {
      make: () => createOpenAIChatPolicy({ model, profile: context.profile, ...(context.baseUrl === undefined ? {} : { baseURL: context.baseUrl }) }),
      manifest: { name: flag, kind: 'llm' },
    };
  }
  const embedded = { name: flag, kind: 'embedded (no LLM)' };
  const own = context.site.policies?.[flag];
  if (own) return { make: own({ profile: context.profile, seed: context.seed }), manifest: embedded };
  switch (flag) {
    case 'random':
      return { make: (task) => createRandomPolicy({ seed: `${context.seed}:${task.task_id}`, profile: context.profile }), manifest: embedded };
    case 'replay': {
      if (!context.actions) throw new ConfigInvalidError('--policy replay needs --actions FILE');
      const actionsFor = replayActions(context.actions);
      return { make: (task) => createReplayPolicy({ actions: actionsFor(task) }), manifest: embedded };
    }
    case 'oracle':
      return { make: oracleOf(context), manifest: embedded };
    default: {
      const names = [...Object.keys(context.site.policies ?? {}), ...GENERIC];
      throw new ConfigInvalidError(`--policy ${flag}: expected ${names.join(', ')} (on ${context.site.displayName})`);
    }
  }
};
