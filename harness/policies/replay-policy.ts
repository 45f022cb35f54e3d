import { ReplayExhaustedError } from '../../src/env/errors.js';
import type { Policy } from '../../src/env/policy.js';

/** Options of `createReplayPolicy`. */
export interface ReplayPolicyOptions {
  /** Actions to play, in order, one per `act` call. */
  actions: readonly string[];
  /** Thoughts recorded with the actions, by position. Default: none. */
  thoughts?: readonly (string | undefined)[];
}

/** Plays the given actions in order whatever it observes; asked for more, it throws `ReplayExhaustedError`. */
export const createReplayPolicy = (options: ReplayPolicyOptions): Policy => {
  const actions = [...options.actions];
  const thoughts = [...(options.thoughts ?? [])];
  let next = 0;
  return {
    name: 'replay',
    act: () => {
      const action = actions[next];
      if (action === undefined) return Promise.reject(new ReplayExhaustedError(actions.length));
      const thought = thoughts[next];
      next += 1;
      return Promise.resolve(thought === undefined ? { action } : { action, thought });
    },
  };
};
