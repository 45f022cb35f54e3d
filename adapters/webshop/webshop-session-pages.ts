import { pyFloatRepr } from '../../src/python/python-repr.js';
import type { LoggedLine, LoggedPage } from './webshop-session-log.js';
import { parseWebShopUrl, type WebShopUrlInfo } from './webshop-profile-url.js';

/**
 * A logged page as the import reads it: its URL parsed by the profile, its keywords (the URL's
 * `<keywords>` segment as written) and the results it listed.
 */
export interface SessionPage {
  line: number;
  logged: LoggedPage;
  url: WebShopUrlInfo;
  /** The decoded `<keywords>` segment ('' on the search and done pages). */
  keywords: string;
  /** Results page: the ASINs it listed, in order. */
  asins: string[];
}

/** Where `<keywords>` sits in each route's path segments (it may itself contain '/'). */
const KEYWORD_SPAN: Readonly<Record<string, readonly [number, number]>> = {
  search_results: [2, -1],
  item_page: [3, -2],
  item_sub_page: [3, -3],
};

const keywordsOf = (url: string): string => {
  const parts = new URL(url, 'http://webshop.invalid').pathname.split('/').slice(1);
  const span = KEYWORD_SPAN[parts[0] ?? ''];
  if (!span) return '';
  try {
    return decodeURIComponent(parts.slice(span[0], span[1]).join('/'));
  } catch {
    return parts.slice(span[0], span[1]).join('/');
  }
};

/** Reads a logged page, or undefined when its URL is no WebShop route of its kind. */
export const readSessionPage = ({ line, page }: LoggedLine): SessionPage | undefined => {
  const url = parseWebShopUrl(page.url);
  const expected = { index: 'search', search_results: 'results', item_page: 'item', item_sub_page: 'item_sub', done: 'done' }[page.page];
  if (!url || url.type !== expected) return undefined;
  return { line, logged: page, url, keywords: keywordsOf(page.url), asins: page.content?.search_result_asins ?? [] };
};

/** What the logs never hold (the pages' own text); rendered visibly, never invented. */
export const NOT_LOGGED = '(not in the session log)';
/** A result row's price placeholder: a price tag's shape, so the row structure reads as the site's. */
const PRICE_NOT_LOGGED = '$?';

/** The option groups a session showed of each product: every name and value chosen on its pages. */
export type SessionOptions = ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;

export const sessionOptions = (pages: readonly SessionPage[]): SessionOptions => {
  const byAsin = new Map<string, Map<string, string[]>>();
  for (const p of pages) {
    const asin = p.url.asin?.toUpperCase();
    if (asin === undefined) continue;
    const groups = byAsin.get(asin) ?? new Map<string, string[]>();
    byAsin.set(asin, groups);
    for (const [name, value] of p.url.options ?? []) {
      const values = groups.get(name) ?? [];
      if (!values.includes(value)) values.push(value);
      groups.set(name, values);
    }
  }
  return byAsin;
};

/**
 * Total results of a results page: WebShop shows the top 50 hits, 10 a page; a short page tells
 * the total exactly, a full one is taken as the usual 50 (the log does not say).
 */
const totalOf = (page: number, count: number): number => (count < 10 ? (page - 1) * 10 + count : 50);

/**
 * The page in WebShop's "simple" text format, from what the log holds: the instruction, the
 * results' page and ASINs, the product's chosen options and buttons, the purchase and its score.
 * What the log lacks (titles, prices, descriptions, the code) is written as NOT_LOGGED, so the
 * profile reads the same page type, available actions and canonical key as the real page's.
 */
export const renderSessionPage = (p: SessionPage, options: SessionOptions): string => {
  const instruction = p.logged.goal.instruction_text;
  const head = `Instruction: [SEP] ${instruction} [SEP] Back to Search`;
  switch (p.url.type) {
    case 'search':
      return `WebShop [SEP] Instruction: [SEP] ${instruction} [SEP] Search`;
    case 'results': {
      const page = p.url.page ?? 1;
      const rows = p.asins.map((asin) => `${asin.toUpperCase()} [SEP] ${NOT_LOGGED} [SEP] ${PRICE_NOT_LOGGED}`);
      return [head, `Page ${page} (Total results: ${totalOf(page, p.asins.length)})`, ...(page > 1 ? ['< Prev'] : []), 'Next >', ...rows].join(' [SEP] ');
    }
    case 'item': {
      const groups = options.get(p.url.asin?.toUpperCase() ?? '') ?? new Map<string, readonly string[]>();
      const region = [...groups].flatMap(([name, values]) => [name, ...values]);
      return [head, '< Prev', ...region, NOT_LOGGED, `Price: ${NOT_LOGGED}`, 'Rating: N.A.', 'Description', 'Features', 'Reviews', 'Buy Now'].join(' [SEP] ');
    }
    case 'item_sub':
      return [head, '< Prev', NOT_LOGGED].join(' [SEP] ');
    case 'done': {
      const goal = p.logged.goal;
      const chosen = Object.fromEntries(p.url.options ?? []);
      return [
        'Thank you for shopping with us!', 'Your code:', NOT_LOGGED, '(Paste it in your MTurk interface.)',
        'Purchased', 'asin', (p.url.asin ?? '').toUpperCase(), 'options', JSON.stringify(chosen),
        'Target', 'asin', String(goal['asin'] ?? NOT_LOGGED), 'instuction text', goal.instruction_text,
        'Reward', 'Your score (min 0.0, max 1.0)', pyFloatRepr(p.logged.reward ?? 0),
      ].join(' [SEP] ');
    }
  }
};
