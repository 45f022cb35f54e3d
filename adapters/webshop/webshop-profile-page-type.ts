import { readWebShopLayout, type WebShopPageType } from './webshop-profile-layout.js';
import { parseWebShopUrl } from './webshop-profile-url.js';

export type { WebShopPageType } from './webshop-profile-layout.js';

/**
 * The page type read from the simple text alone (what the dream side has): the search page
 * starts 'WebShop [SEP] Instruction:' and ends '[SEP] Search'; results show 'Back to Search'
 * then 'Page N (Total results: T)'; the item page has 'Back to Search [SEP] < Prev', a
 * 'Price: …' segment followed by 'Rating: …' and ends with 'Buy Now'; a sub-page has
 * 'Back to Search [SEP] < Prev' and none of that; done starts 'Thank you for shopping with us!'.
 * Undefined for anything else (error pages, unreadable model output).
 */
export const webShopPageType = (text: string): WebShopPageType | undefined => readWebShopLayout(text)?.type;

/** The page type from a WebShop URL path (`/<sid>`, `/search_results/…`, `/item_page/…`, …). */
export const webShopPageTypeFromUrl = (url: string): WebShopPageType | undefined => parseWebShopUrl(url)?.type;
