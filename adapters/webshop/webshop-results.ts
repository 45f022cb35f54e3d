/** One result row of a results page. */
export interface WebShopResult {
  asin: string;
  title: string;
  price: string;
}

const SEP = ' [SEP] ';
const RESULTS_HEADER = /^Page \d+ \(Total results: (\d+)\)$/;

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
