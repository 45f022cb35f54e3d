/**
 * Reads the structure of a WebShop "simple" text observation (segments joined by ' [SEP] '):
 * which page it is and where its parts sit. Page type, available actions and canonical keys all
 * read the same layout, so they can never disagree about a text.
 */

export type WebShopPageType = 'search' | 'results' | 'item' | 'item_sub' | 'done';

/** Where the parts of one page sit, as indexes into `segments`. */
export type WebShopTextLayout =
  | { type: 'search'; segments: string[] }
  | {
      type: 'results';
      segments: string[];
      page: number;
      total: number;
      hasPrev: boolean;
      hasNext: boolean;
      /** The result rows' ASINs as displayed (upper case), in order. */
      asins: string[];
    }
  | {
      type: 'item';
      segments: string[];
      /** Index of '< Prev'; option groups start right after it. */
      prev: number;
      /** Index of 'Price: …'; the title is the segment before it, 'Rating: …' the one after. */
      price: number;
    }
  | { type: 'item_sub'; segments: string[]; prev: number }
  | { type: 'done'; segments: string[] };

export const BACK_TO_SEARCH = 'Back to Search';
export const PREV = '< Prev';
export const NEXT = 'Next >';
export const BUY_NOW = 'Buy Now';
export const DONE_HEADING = 'Thank you for shopping with us!';
export const SCORE_HEADING = 'Your score (min 0.0, max 1.0)';

const RESULTS_HEADER = /^Page (\d+) \(Total results: (\d+)\)$/;
const PRICE_SEGMENT = /^Price:/;
const RATING_SEGMENT = /^Rating:/;
/** A result row's price: '$8.99', '$100.0' or '$19.99 to $25.99' (WebShop's price tags). */
const ROW_PRICE = /^\$\S*( to \$\S*)?$/;

/**
 * Splits a simple text into its segments. Real texts join trimmed text nodes with exactly
 * ' [SEP] '; the split tolerates other spacing so an experience model's text reads the same.
 */
export const webShopSegments = (text: string): string[] => {
  const trimmed = text.trim();
  return trimmed === '' ? [] : trimmed.split(/\s*\[SEP\]\s*/);
};

/**
 * The ASINs of the result rows. A row is ASIN, title, price (WebShop always shows a price tag,
 * '$100.0' when a product has none), so a segment is an ASIN when it opens the rows or follows
 * a price. This needs no ASIN pattern, which real ASINs (ISBN-like ones too) would not all fit.
 */
const resultAsins = (segments: readonly string[], start: number): string[] => {
  const asins: string[] = [];
  for (let i = start; i < segments.length; i += 1) {
    if (i === start || ROW_PRICE.test(segments[i - 1] ?? '')) asins.push(segments[i] ?? '');
  }
  return asins;
};

const readResults = (segments: string[], header: number): WebShopTextLayout | undefined => {
  const match = RESULTS_HEADER.exec(segments[header] ?? '');
  if (!match) return undefined;
  let i = header + 1;
  const hasPrev = segments[i] === PREV;
  if (hasPrev) i += 1;
  const hasNext = segments[i] === NEXT;
  if (hasNext) i += 1;
  return { type: 'results', segments, page: Number(match[1]), total: Number(match[2]), hasPrev, hasNext, asins: resultAsins(segments, i) };
};

/** The product page: a 'Price: …' segment directly followed by 'Rating: …', ending with Buy Now. */
const findPrice = (segments: readonly string[], prev: number): number | undefined => {
  if (segments.at(-1) !== BUY_NOW) return undefined;
  for (let i = prev + 1; i < segments.length - 1; i += 1) {
    if (PRICE_SEGMENT.test(segments[i] ?? '') && RATING_SEGMENT.test(segments[i + 1] ?? '')) return i;
  }
  return undefined;
};

/** The layout of a simple text, or undefined when it is no WebShop page (e.g. an error page). */
export const readWebShopLayout = (text: string): WebShopTextLayout | undefined => {
  const segments = webShopSegments(text);
  if (segments[0] === DONE_HEADING) return { type: 'done', segments };
  // Only the search page shows the 'WebShop' logo; it ends with the search button.
  if (segments[0] === 'WebShop' && segments[1] === 'Instruction:' && segments.length >= 3 && segments.at(-1) === 'Search') {
    return { type: 'search', segments };
  }
  const back = segments.indexOf(BACK_TO_SEARCH);
  if (back < 0) return undefined;
  if (segments[back + 1] === PREV) {
    const prev = back + 1;
    const price = findPrice(segments, prev);
    return price === undefined ? { type: 'item_sub', segments, prev } : { type: 'item', segments, prev, price };
  }
  return readResults(segments, back + 1);
};

/** The instruction shown above 'Back to Search' ('' when there is none). */
export const layoutInstruction = (segments: readonly string[]): string => {
  const back = segments.indexOf(BACK_TO_SEARCH);
  const start = segments[0] === 'Instruction:' ? 1 : 0;
  return back > start ? segments.slice(start, back).join(' ') : '';
};
