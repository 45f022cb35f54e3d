import type { Observation, WebShopAvailableActions } from '../../src/protocol/index.js';

/** WebShop page types as the WebShop profile names them. */
export type WebShopPageType = 'search' | 'results' | 'item' | 'item_sub' | 'done';

/** One result row of a results page. */
export interface WebShopResult {
  asin: string;
  title: string;
  price: string;
}

const SEP = ' [SEP] ';
const RESULTS_HEADER = /^Page \d+ \(Total results: (\d+)\)$/;

/** WebShop's available actions of an observation, or undefined for another site's observation. */
export const webShopActions = (observation: Observation): WebShopAvailableActions | undefined =>
  'clickables' in observation.available_actions ? observation.available_actions : undefined;

/**
 * The page type of a WebShop observation: `page_type` when the observation carries one,
 * otherwise read from its text and available actions.
 */
export const webShopPageType = (observation: Observation): WebShopPageType | undefined => {
  const known = observation.page_type;
  if (known === 'search' || known === 'results' || known === 'item' || known === 'item_sub' || known === 'done') return known;
  const actions = webShopActions(observation);
  if (!actions) return undefined;
  if (actions.has_search_bar) return 'search';
  if (observation.text.startsWith('Thank you for shopping with us!')) return 'done';
  if (observation.text.split(SEP).some((part) => RESULTS_HEADER.test(part))) return 'results';
  if (actions.clickables.includes('buy now')) return 'item';
  if (actions.clickables.includes('< prev')) return 'item_sub';
  return undefined;
};

/**
 * The result rows of a results page text: after the `Page N (Total results: T)` header and the
 * `< Prev` / `Next >` buttons come repeated triples ASIN [SEP] title [SEP] price. An empty list
 * when the page has no results.
 */
export const parseWebShopResults = (text: string): WebShopResult[] => {
  const parts = text.split(SEP);
  const header = parts.findIndex((part) => RESULTS_HEADER.test(part));
  let at = header >= 0 ? header + 1 : parts.indexOf('Next >') + 1;
  if (at <= 0) return [];
  while (parts[at] === '< Prev' || parts[at] === 'Next >') at += 1;
  const results: WebShopResult[] = [];
  for (; at + 2 < parts.length; at += 3) {
    const [asin, title, price] = [parts[at], parts[at + 1], parts[at + 2]];
    if (asin === undefined || title === undefined || price === undefined) break;
    results.push({ asin, title, price });
  }
  return results;
};
