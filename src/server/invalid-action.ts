import type { Observation, StepResult } from '../protocol/index.js';

/**
 * Longest action sent to a site (a WebShop search or a WebArena `type [id] [text]` fits easily).
 * Longer ones (a whole model turn forwarded as the action) are invalid actions, not wire errors.
 */
export const MAX_SITE_ACTION_CHARS = 8_192;

/** Why an action is refused before the site sees it, or undefined when it may go to the site. */
export const oversizedActionError = (action: string): string | undefined =>
  action.length <= MAX_SITE_ACTION_CHARS
    ? undefined
    : `INVALID_ACTION: the action is ${action.length} characters long, over the ${MAX_SITE_ACTION_CHARS}-character limit (send one action in the site's grammar, e.g. search[...] or click[...])`;

/**
 * The step an invalid action makes, as the benchmarks make it: the state unchanged, reward 0,
 * `last_action_error` set, and truncated when it was the last step allowed.
 */
export const invalidActionResult = (state: Observation, error: string, stepNumber: number, maxSteps: number | undefined): StepResult => ({
  observation: { ...state, last_action_error: error },
  reward: 0,
  done: false,
  truncated: maxSteps !== undefined && stepNumber >= maxSteps,
  info: { latency_ms: 0, error },
});
