import type { AvailableActions } from '../../src/protocol/observation.js';
import type { SiteProfile } from '../../src/protocol/site-profile.js';
import type { Split, Task } from '../../src/protocol/task.js';
import { ConfigInvalidError } from '../../src/env/errors.js';
import { parseWebShopAction, validateWebShopAction } from './webshop-profile-action-grammar.js';
import { webShopAvailableActions } from './webshop-profile-actions.js';
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

/** WebShop's synthetic goal count for its 1000-product split (the text environment's default). */
export const WEBSHOP_DEFAULT_GOAL_COUNT = 6910;

/** The benchmark split of goal indexes: 0–499 test, 500–1499 eval, 1500+ train. */
const SPLIT_RANGES: Readonly<Record<Split, readonly [number, number]>> = {
  test: [0, 500],
  eval: [500, 1500],
  train: [1500, Number.POSITIVE_INFINITY],
};

export interface WebShopProfileOptions {
  /** Number of goals of the site (indexes 0..goalCount-1). Default WEBSHOP_DEFAULT_GOAL_COUNT. */
  goalCount?: number;
}

const isWebShopActions = (a: AvailableActions): a is { has_search_bar: boolean; clickables: string[] } =>
  'has_search_bar' in a && 'clickables' in a;

export const createWebShopProfile = (options: WebShopProfileOptions = {}): SiteProfile => {
  const goalCount = options.goalCount ?? WEBSHOP_DEFAULT_GOAL_COUNT;
  if (!Number.isSafeInteger(goalCount) || goalCount < 0) {
    throw new ConfigInvalidError(`goalCount must be a non-negative integer, got ${String(goalCount)}`);
  }
  return {
    env: 'webshop',
    version: WEBSHOP_PROFILE_VERSION,
    pageType: webShopPageType,
    availableActions: webShopAvailableActions,
    parseAction: parseWebShopAction,
    validateAction: (action, available) => {
      if (!isWebShopActions(available)) {
        return { valid: false, reason: 'available actions are not WebShop\'s ({has_search_bar, clickables})' };
      }
      return validateWebShopAction(action, available);
    },
    canonicalKey: (state) => webShopCanonicalKey(state),
    // The search page, exactly as the real site renders it in the simple text format.
    initialState: (instruction) => `WebShop [SEP] Instruction: [SEP] ${instruction} [SEP] Search`,
    prompts: { system: WEBSHOP_SYSTEM_PROMPT, stateFormat: WEBSHOP_STATE_FORMAT },
    tasks: (split: Split): Task[] => {
      const [start, end] = SPLIT_RANGES[split];
      const tasks: Task[] = [];
      for (let i = start; i < Math.min(end, goalCount); i += 1) tasks.push({ task_id: String(i), env: 'webshop', split });
      return tasks;
    },
  };
};
