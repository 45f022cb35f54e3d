import type { SiteProfile } from '../../src/protocol/site-profile.js';
import { webShopTaskIdSchema } from './webshop-task-id.js';
import type { Split, Task } from '../../src/protocol/task.js';
import { ConfigInvalidError } from '../../src/env/errors.js';
import { parseWebShopAction, validateWebShopAction } from './webshop-profile-action-grammar.js';
import { webShopAvailableActions } from './webshop-profile-actions.js';
import { isWebShopActions, webShopAvailableActionsSchema, webShopClicks } from './webshop-available-actions.js';
import { webShopCanonicalKey } from './webshop-profile-key.js';
import { webShopPageType } from './webshop-profile-page-type.js';
import { WEBSHOP_STATE_FORMAT, WEBSHOP_SYSTEM_PROMPT } from './webshop-profile-prompts.js';

/**
 * The WebShop site profile: pure text functions shared by the real adapter, the dream
 * environment and the fidelity code. This file gathers the API; each concept lives in a sibling.
 */

export const WEBSHOP_PROFILE_VERSION = 'webshop-profile/1';

export { WEBSHOP_KEY_VERSION, webShopCanonicalKey } from './webshop-profile-key.js';
export { webShopPageType, webShopPageTypeFromUrl, type WebShopPageType } from './webshop-profile-page-type.js';
export { webShopAvailableActions } from './webshop-profile-actions.js';
export {
  parseWebShopAction,
  validateWebShopAction,
  type WebShopActionCheck,
  type WebShopValidateOptions,
} from './webshop-profile-action-grammar.js';
export { WEBSHOP_OPTION_NAMES } from './webshop-profile-option-groups.js';
export { parseWebShopUrl, type WebShopUrlInfo } from './webshop-profile-url.js';
export { WEBSHOP_STATE_FORMAT, WEBSHOP_SYSTEM_PROMPT } from './webshop-profile-prompts.js';
export { isWebShopActions, webShopAvailableActionsSchema, type WebShopAvailableActions } from './webshop-available-actions.js';

/** WebShop's synthetic goal count for its 1000-product split (the text environment's default). */
export const WEBSHOP_DEFAULT_GOAL_COUNT = 6910;

/** The benchmark split of goal indexes: 0–499 test, 500–1499 eval, 1500+ train. */
const SPLIT_RANGES: Readonly<Record<Split, readonly [number, number]>> = {
  test: [0, 500],
  eval: [500, 1500],
  train: [1500, Number.POSITIVE_INFINITY],
};

/** WebShop's own episode length (its text environment truncates after 15 steps). */
export const WEBSHOP_DEFAULT_MAX_STEPS = 15;

export interface WebShopProfileOptions {
  /** Number of goals of the site (indexes 0..goalCount-1). Default WEBSHOP_DEFAULT_GOAL_COUNT. */
  goalCount?: number;
  /**
   * `search[...]` valid on every page, as WebShop's text environment allows (the real site has the
   * box on the search page only; the real adapter goes back to it first). Default false. Dream and
   * real read it from here, so an action is valid in both or in neither.
   */
  searchAnywhere?: boolean;
  /** Steps before truncation. Default WEBSHOP_DEFAULT_MAX_STEPS (15). */
  maxSteps?: number;
}

export const createWebShopProfile = (options: WebShopProfileOptions = {}): SiteProfile => {
  const goalCount = options.goalCount ?? WEBSHOP_DEFAULT_GOAL_COUNT;
  if (!Number.isSafeInteger(goalCount) || goalCount < 0) {
    throw new ConfigInvalidError(`goalCount must be a non-negative integer, got ${String(goalCount)}`);
  }
  const searchAnywhere = options.searchAnywhere ?? false;
  return {
    env: 'webshop',
    displayName: 'WebShop',
    version: WEBSHOP_PROFILE_VERSION,
    maxSteps: options.maxSteps ?? WEBSHOP_DEFAULT_MAX_STEPS,
    availableActionsSchema: webShopAvailableActionsSchema,
    taskIdSchema: webShopTaskIdSchema,
    pageType: webShopPageType,
    availableActions: webShopAvailableActions,
    parseAction: parseWebShopAction,
    validateAction: (action, available) => {
      if (!isWebShopActions(available)) {
        return { valid: false, reason: 'available actions are not WebShop\'s ({has_search_bar, clickables})' };
      }
      return validateWebShopAction(action, available, { searchAnywhere });
    },
    // `search` stands for a search of the policy's words; the box is not a click target.
    actionChoices: (available) => {
      if (!isWebShopActions(available)) return [];
      const clicks = available.clickables.filter((c) => c !== 'search').map((c) => `click[${c}]`);
      return available.has_search_bar || searchAnywhere ? [{ freeText: (text: string) => `search[${text}]` }, ...clicks] : clicks;
    },
    promptActions: (available) => {
      if (!isWebShopActions(available)) return '(none)';
      const lines = [...(available.has_search_bar || searchAnywhere ? ['search[<query>]'] : []), ...webShopClicks(available)];
      return lines.length === 0 ? '(none)' : lines.join('\n');
    },
    admissibleActions: (available) =>
      isWebShopActions(available) ? [...(available.has_search_bar || searchAnywhere ? ['search[<your query>]'] : []), ...webShopClicks(available)] : [],
    canonicalKey: (state) => webShopCanonicalKey(state),
    // The search page, exactly as the real site renders it in the simple text format.
    initialState: (instruction) => `WebShop [SEP] Instruction: [SEP] ${instruction} [SEP] Search`,
    instructionText: (instruction) => `Instruction: ${instruction}`,
    prompts: { system: WEBSHOP_SYSTEM_PROMPT, stateFormat: WEBSHOP_STATE_FORMAT, policySite: 'the WebShop e-commerce platform' },
    tasks: (split: Split): Task[] => {
      const [start, end] = SPLIT_RANGES[split];
      const tasks: Task[] = [];
      for (let i = start; i < Math.min(end, goalCount); i += 1) tasks.push({ task_id: String(i), env: 'webshop', split });
      return tasks;
    },
  };
};
