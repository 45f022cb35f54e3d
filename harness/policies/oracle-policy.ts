import { ConfigInvalidError, ModelOutputUnparseableError } from '../../src/env/errors.js';
import type { Observation } from '../../src/protocol/index.js';
import type { Policy } from '../../src/env/policy.js';

export interface OraclePolicyOptions {
  /**
   * The task's reference actions, with targets written as role and name instead of ids
   * (`click [link 'Orders']`, `type [textbox 'Search'] [blue] [1]`), resolved against each
   * observation, so the sequence holds however ids are numbered.
   */
  actions: readonly string[];
  /** Finds the id of the element with this role and accessible name in an observation text. */
  findId: (text: string, role: string, name: string) => string | undefined;
  /** Resolves site placeholders (`__SHOPPING_ADMIN__`) in `goto` URLs for this episode. */
  resolveUrl?: (url: string) => string;
}

/** `[role 'name']` (or double quotes) as the first bracket of an action. */
const TARGET = /^(\w+) ?\[(\w+) (?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\]/;

/** Replaces a role-and-name target by the id it has on the current page. */
export const resolveOracleAction = (action: string, observation: Observation, options: OraclePolicyOptions): string => {
  const m = TARGET.exec(action);
  if (m?.[1] && m[2]) {
    const name = (m[3] ?? m[4] ?? '').replace(/\\(.)/g, '$1');
    const id = options.findId(observation.text, m[2], name);
    if (id === undefined) {
      throw new ModelOutputUnparseableError(`oracle: no ${m[2]} '${name}' on ${observation.url ?? 'this page'} for "${action}"`);
    }
    return `${m[1]} [${id}]${action.slice(m[0].length)}`;
  }
  const go = /^goto \[(.+)\]$/.exec(action);
  if (go?.[1] && options.resolveUrl) return `goto [${options.resolveUrl(go[1])}]`;
  return action;
};

/** Plays a fixture task's reference sequence: the oracle of WebArena-style fixture tasks. */
export const createOraclePolicy = (options: OraclePolicyOptions): Policy => {
  let next = 0;
  return {
    name: 'oracle',
    act(observation) {
      const action = options.actions[next];
      if (action === undefined) throw new ConfigInvalidError(`oracle: the reference sequence has only ${options.actions.length} actions`);
      next += 1;
      return Promise.resolve({ action: resolveOracleAction(action, observation, options), thought: `reference step ${next}: ${action}` });
    },
  };
};
