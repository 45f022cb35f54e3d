import seedrandom from 'seedrandom';
import { NoAvailableActionError } from '../../src/env/errors.js';
import type { Observation } from '../../src/protocol/index.js';
import type { Policy } from '../policy.js';
import { contentWords, words } from './webshop-instruction.js';

/** Options of `createRandomPolicy`. */
export interface RandomPolicyOptions {
  /** Seed of the policy's generator: the same seed and observations give the same actions. */
  seed: number | string;
  /** Most words of a random search (at least 1 are taken). Default: 3. */
  maxSearchWords?: number;
}

const NAME = 'random';

/** The actions an observation offers, with `search` standing for a search of random words. */
const candidates = (observation: Observation): string[] => {
  const available = observation.available_actions;
  if ('ids' in available) return available.ids.map((id) => `click [${id}]`);
  const clicks = available.clickables.filter((clickable) => clickable !== 'search').map((clickable) => `click[${clickable}]`);
  return available.has_search_bar ? ['search', ...clicks] : clicks;
};

/**
 * Picks uniformly among the valid actions of the observation (WebShop: `search` when the page has
 * a search bar, a click on each clickable; WebArena: `click [id]` on each actionable id). A search
 * uses 1 to `maxSearchWords` random words of the instruction. Seeded and deterministic per seed.
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
        const actions = candidates(observation).filter((action) => action !== 'search' || pool.length > 0);
        if (actions.length === 0) throw new NoAvailableActionError(NAME, observation.page_type);
        const action = pick(actions);
        if (action !== 'search') return { action };
        const count = 1 + Math.floor(random() * Math.min(maxWords, pool.length));
        const chosen = Array.from({ length: count }, () => pick(pool));
        return { action: `search[${[...new Set(chosen)].join(' ')}]` };
      }),
  };
};
