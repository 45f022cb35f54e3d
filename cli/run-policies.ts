import { createHeuristicWebShopPolicy, createRandomPolicy, createReplayPolicy } from '../harness/policies/index.js';
import type { Policy } from '../harness/policy.js';
import { ConfigInvalidError } from '../src/env/errors.js';
import type { EnvName, Task } from '../src/protocol/index.js';
import { replayActions } from './replay-actions.js';

/** What a policy flag needs besides its name. */
export interface PolicyFlagContext {
  env: EnvName;
  seed: number;
  /** `--actions FILE` for the replay policy. */
  actions?: string;
  /** `--policy-base-url` for openai:NAME. */
  baseUrl?: string;
  /** The oracle policy of the WebArena fixture, when available. */
  oracle?: (task: Task) => Policy;
}

/** A policy per episode from a flag: heuristic, random, replay, oracle or openai:NAME. */
export const policyFromFlag = async (flag: string, context: PolicyFlagContext): Promise<{ make: (task: Task) => Policy; manifest: Record<string, unknown> }> => {
  if (flag.startsWith('openai:')) {
    const model = flag.slice('openai:'.length);
    if (model === '') throw new ConfigInvalidError('--policy openai:NAME needs a model name');
    const { createOpenAIChatPolicy } = await import('../harness/policies/openai-chat-policy.js');
    return {
      make: () => createOpenAIChatPolicy({ model, ...(context.baseUrl === undefined ? {} : { baseURL: context.baseUrl }) }),
      manifest: { name: flag, kind: 'llm' },
    };
  }
  const embedded = { name: flag, kind: 'embedded (no LLM)' };
  switch (flag) {
    case 'heuristic':
      if (context.env !== 'webshop') throw new ConfigInvalidError('--policy heuristic is the WebShop policy; on WebArena use oracle (fixture), replay, random or openai:NAME');
      return { make: () => createHeuristicWebShopPolicy(), manifest: embedded };
    case 'random':
      return { make: (task) => createRandomPolicy({ seed: `${context.seed}:${task.task_id}` }), manifest: embedded };
    case 'replay': {
      if (!context.actions) throw new ConfigInvalidError('--policy replay needs --actions FILE');
      const actionsFor = replayActions(context.actions);
      return { make: (task) => createReplayPolicy({ actions: actionsFor(task) }), manifest: embedded };
    }
    case 'oracle':
      if (!context.oracle) throw new ConfigInvalidError('--policy oracle needs the WebArena fixture (its reference actions), or --actions FILE');
      return { make: context.oracle, manifest: embedded };
    default:
      throw new ConfigInvalidError(`--policy ${flag}: expected heuristic, random, replay, oracle or openai:NAME`);
  }
};
