import type { Policy } from '../../src/env/policy.js';
import type { TimeoutOptions } from '../../src/env/env.js';
import type { Observation, SiteProfile, Task, Transition } from '../../src/protocol/index.js';

/** Options of `proposeAlternative`. */
export interface ProposeOptions {
  policy: Policy;
  profile: SiteProfile;
  task: Task;
  state: Observation;
  /** The expert's steps before this state (the policy's history). */
  history: readonly Transition[];
  expertAction: string;
  /** Alternatives already taken at this state. */
  taken: readonly string[];
  /** Action names allowed (the site's rule for this page); undefined = any. */
  kinds: readonly string[] | undefined;
  /** Policy calls before giving up. Default: 12. */
  attempts?: number;
  /** Asked the same way when `policy` gives nothing new (a deterministic policy repeats itself). */
  fallback?: Policy;
  timeout: TimeoutOptions;
}

/** An action's identity: name and argument as the profile parses them (WebShop lower-cases arguments). */
export const actionIdentity = (profile: SiteProfile, action: string): string => {
  const parsed = profile.parseAction(action);
  return parsed.ok ? `${parsed.name}[${parsed.arg}]` : action.trim();
};

/** An alternative and who proposed it. */
export interface Proposal {
  action: string;
  proposedBy: 'policy' | 'fallback';
}

/**
 * Asks the policy for an action at the restored state until it gives one that is valid there, of
 * an allowed kind, and different from the expert's action and from the alternatives already
 * taken; then the fallback the same way; undefined when neither gives one in `attempts` calls.
 */
export const proposeAlternative = async (options: ProposeOptions): Promise<Proposal | undefined> => {
  const own = await proposeWith(options.policy, options);
  if (own !== undefined) return { action: own, proposedBy: 'policy' };
  const other = options.fallback ? await proposeWith(options.fallback, options) : undefined;
  return other === undefined ? undefined : { action: other, proposedBy: 'fallback' };
};

const proposeWith = async (policy: Policy, options: ProposeOptions): Promise<string | undefined> => {
  const { profile, state } = options;
  const used = new Set([options.expertAction, ...options.taken].map((a) => actionIdentity(profile, a)));
  const history = options.history.map((t) => ({ observation: t.state, action: t.action, reward: t.reward }));
  for (let i = 0; i < (options.attempts ?? 12); i += 1) {
    const { action } = await policy.act(state, history, options.task, options.timeout);
    const parsed = profile.parseAction(action);
    if (!parsed.ok || (options.kinds && !options.kinds.includes(parsed.name))) continue;
    if (!profile.validateAction(action, state.available_actions).valid) continue;
    if (used.has(actionIdentity(profile, action))) continue;
    return action;
  }
  return undefined;
};
