import seedrandom from 'seedrandom';
import { NoAvailableActionError } from '../../src/env/errors.js';
import type { Policy } from '../../src/env/policy.js';
import type { ActionChoice, SiteProfile } from '../../src/protocol/index.js';
import { contentWords, words } from '../../src/text/words.js';

/** Options of `createRandomPolicy`. */
export interface RandomPolicyOptions {
  /** Seed of the policy's generator: the same seed and observations give the same actions. */
  seed: number | string;
  /** The site: which actions a state offers (`SiteProfile.actionChoices`). */
  profile: Pick<SiteProfile, 'actionChoices'>;
  /** Most words of a free-text action such as a search (at least 1 are taken). Default: 3. */
  maxSearchWords?: number;
}

const NAME = 'random';

/**
 * Picks uniformly among the actions the site's profile says the observation offers (WebShop: a
 * search when the page has a search bar, a click on each clickable; WebArena: `click [id]` on each
 * actionable id). A free-text action uses 1 to `maxSearchWords` random words of the instruction.
 * Seeded and deterministic per seed.
 */
export const createRandomPolicy = (options: RandomPolicyOptions): Policy => {
  const random = seedrandom(`random-policy:${options.seed}`);
  const maxWords = Math.max(1, options.maxSearchWords ?? 3);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  return {
    name: NAME,
    act: (observation, _history, task) =>
      Promise.resolve().then(() => {
        const instruction = observation.instruction || task.instruction || '';
        const pool = contentWords(instruction).length > 0 ? contentWords(instruction) : words(instruction);
        const actions = options.profile.actionChoices(observation.available_actions).filter((choice) => typeof choice === 'string' || pool.length > 0);
        if (actions.length === 0) throw new NoAvailableActionError(NAME, observation.page_type);
        const choice: ActionChoice = pick(actions);
        if (typeof choice === 'string') return { action: choice };
        const count = 1 + Math.floor(random() * Math.min(maxWords, pool.length));
        const chosen = Array.from({ length: count }, () => pick(pool));
        return { action: choice.freeText([...new Set(chosen)].join(' ')) };
      }),
  };
};
