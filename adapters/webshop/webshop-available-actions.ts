import { z } from 'zod';
import type { AvailableActions } from '../../src/protocol/observation.js';

/** WebShop's available actions, exactly as its text environment defines them. */
export const webShopAvailableActionsSchema = z.object({
  has_search_bar: z.boolean(),
  clickables: z.array(z.string()),
});

export type WebShopAvailableActions = z.infer<typeof webShopAvailableActionsSchema>;

/** Whether available actions are WebShop's (`{has_search_bar, clickables}`). */
export const isWebShopActions = (a: AvailableActions): a is AvailableActions & WebShopAvailableActions =>
  typeof a['has_search_bar'] === 'boolean' && Array.isArray(a['clickables']);

/** The clicks a page offers, `search` aside when the page has a search bar (it is the box, not a button). */
export const webShopClicks = (a: WebShopAvailableActions): string[] =>
  a.clickables.filter((c) => !(c === 'search' && a.has_search_bar)).map((c) => `click[${c}]`);
