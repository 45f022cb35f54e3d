import type { WebShopAvailableActions } from './webshop-available-actions.js';
import { layoutInstruction, readWebShopLayout, type WebShopTextLayout } from './webshop-profile-layout.js';
import { readOptionGroups } from './webshop-profile-option-groups.js';

/**
 * WebShop's `clickables` is the key list of a Python dict filled in this order: the lower-cased
 * text of every `.btn` and `a.product-link`, then every option radio's value. A repeated text
 * keeps its first place, so duplicates are dropped the same way here.
 */
const dictKeys = (texts: readonly string[]): string[] => [...new Set(texts)];

const lower = (texts: readonly string[]): string[] => texts.map((t) => t.toLowerCase());

const clickablesOf = (layout: WebShopTextLayout): string[] => {
  switch (layout.type) {
    case 'search':
      return ['search'];
    case 'results':
      return dictKeys([
        'back to search',
        ...(layout.hasPrev ? ['< prev'] : []),
        ...(layout.hasNext ? ['next >'] : []),
        ...lower(layout.asins),
      ]);
    case 'item': {
      const { segments, prev, price } = layout;
      // Buttons after 'Rating: …' (Description, Features, Reviews, Attributes?, Buy Now) are
      // `.btn`s and come before the radios in WebShop's list, although the options are shown first.
      const buttons = lower(segments.slice(price + 2));
      const groups = readOptionGroups(segments.slice(prev + 1, price - 1), layoutInstruction(segments));
      return dictKeys(['back to search', '< prev', ...buttons, ...groups.flatMap((g) => g.values)]);
    }
    case 'item_sub':
      return ['back to search', '< prev'];
    case 'done':
      return [];
  }
};

/**
 * WebShop's available actions read from the simple text alone, as its text environment defines
 * them on the DOM: `has_search_bar` = the page has `#search_input` (the search page only);
 * `clickables` = search → ['search']; results → ['back to search', ('< prev' past page 1),
 * 'next >', <asins lower>…]; item → ['back to search', '< prev', 'description', 'features',
 * 'reviews', ('attributes'), 'buy now', <option values>…]; sub-pages → ['back to search',
 * '< prev']; done and unknown texts → []. Limits of the text (an option group name that is not
 * known, an empty title or option value) are described in webshop-profile-option-groups.ts.
 */
export const webShopAvailableActions = (text: string): WebShopAvailableActions => {
  const layout = readWebShopLayout(text);
  if (layout === undefined) return { has_search_bar: false, clickables: [] };
  return { has_search_bar: layout.type === 'search', clickables: clickablesOf(layout) };
};
