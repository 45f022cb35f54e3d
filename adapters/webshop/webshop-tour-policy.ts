import type { Policy } from '../../src/env/policy.js';
import type { Observation } from '../../src/protocol/index.js';
import { searchKeywords } from './webshop-instruction.js';
import { parseWebShopResults } from './webshop-results.js';

const clickables = (o: Observation): string[] => (o.available_actions as { clickables?: string[] }).clickables ?? [];
const has = (o: Observation, c: string): string | undefined => (clickables(o).includes(c) ? `click[${c}]` : undefined);
const firstProduct = (o: Observation): string | undefined => {
  const asin = parseWebShopResults(o.text).map((r) => r.asin.toLowerCase()).find((a) => clickables(o).includes(a));
  return asin === undefined ? undefined : `click[${asin}]`;
};
const firstOption = (o: Observation): string | undefined => {
  const fixed = new Set(['back to search', '< prev', 'next >', 'description', 'features', 'reviews', 'attributes', 'buy now']);
  const option = clickables(o).find((c) => !fixed.has(c));
  return o.page_type === 'item' && option !== undefined ? `click[${option}]` : undefined;
};

/** One move of the tour: the action for this observation, or undefined to skip the move. */
type Move = (o: Observation) => string | undefined;

/**
 * Every action kind a human WebShop session uses, in one episode, with invalid actions between:
 * an unknown click, a search, pagination both ways, a search where there is no bar, a product,
 * an option, each sub-page and back, leaving and coming back, a malformed action, the purchase
 * and a step after it. Moves that do not apply to the page (no next page, no options) are skipped.
 */
export const WEBSHOP_TOUR: readonly Move[] = [
  () => 'click[no such button]',
  (o) => `search[${searchKeywords(o.instruction).slice(0, 3).join(' ') || 'gift'}]`,
  (o) => has(o, 'next >'),
  (o) => has(o, '< prev'),
  (o) => (o.available_actions as { has_search_bar?: boolean }).has_search_bar ? undefined : 'search[not here]',
  firstProduct,
  firstOption,
  (o) => has(o, 'description'),
  (o) => has(o, '< prev'),
  (o) => has(o, 'features'),
  (o) => has(o, '< prev'),
  (o) => has(o, 'reviews'),
  (o) => has(o, '< prev'),
  (o) => has(o, 'attributes'),
  (o) => has(o, '< prev'),
  () => 'buy[it]',
  (o) => has(o, '< prev'),
  firstProduct,
  (o) => has(o, 'buy now'),
  () => 'click[buy now]',
];

/** The tour as a policy (one per episode): each move in turn, skipping those that do not apply. */
export const createWebShopTourPolicy = (): Policy => {
  let next = 0;
  return {
    name: 'webshop-tour',
    act: (observation) => {
      while (next < WEBSHOP_TOUR.length) {
        const action = WEBSHOP_TOUR[next]?.(observation);
        next += 1;
        if (action !== undefined) return Promise.resolve({ action });
      }
      return Promise.resolve({ action: 'click[buy now]' });
    },
  };
};
