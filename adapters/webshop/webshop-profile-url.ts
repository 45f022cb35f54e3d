import { parseOptionsLiteral } from './webshop-profile-dict-literal.js';
import type { WebShopPageType } from './webshop-profile-layout.js';

/**
 * What a WebShop URL says about its page (the real site keeps chosen options only in the URL):
 * `/<sid>`, `/search_results/<sid>/<keywords>/<page>`,
 * `/item_page/<sid>/<asin>/<keywords>/<page>/<options>`,
 * `/item_sub_page/<sid>/<asin>/<keywords>/<page>/<Sub>/<options>`, `/done/<sid>/<asin>/<options>`.
 */
export interface WebShopUrlInfo {
  type: WebShopPageType;
  sid: string;
  asin?: string;
  /** Results page number (search_results only). */
  page?: number;
  sub?: string;
  /** The decoded `<options>` segment as written. */
  optionsLiteral?: string;
  /** Its pairs in URL order; undefined when the literal is not a flat str → str dict. */
  options?: Array<[string, string]>;
}

/** Percent-decoding that never throws: a malformed escape keeps the segment as it is. */
const decode = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

const withOptions = (info: WebShopUrlInfo, literal: string): WebShopUrlInfo => {
  const options = parseOptionsLiteral(literal);
  return { ...info, optionsLiteral: literal, ...(options === undefined ? {} : { options }) };
};

/**
 * Reads a WebShop URL (absolute, or a path). The real site (werkzeug) leaves '/' inside keywords
 * unescaped, which adds path segments; so ASIN and sid are read from the front and `<Sub>` and
 * `<options>` from the back, and only the minimum segment count is required.
 */
export const parseWebShopUrl = (url: string): WebShopUrlInfo | undefined => {
  let path: string;
  try {
    path = new URL(url, 'http://webshop.invalid').pathname;
  } catch {
    return undefined;
  }
  const parts = path.split('/').slice(1);
  if (parts.at(-1) === '' && parts.length > 1) parts.pop(); // a trailing slash
  const [route, sid = '', asin = ''] = parts.map(decode);
  const last = decode(parts.at(-1) ?? '');
  if (parts.length === 1) return route ? { type: 'search', sid: route } : undefined;
  switch (route) {
    case 'search_results': {
      if (parts.length < 4) return undefined;
      const page = Number(last);
      return { type: 'results', sid, ...(Number.isSafeInteger(page) && page > 0 ? { page } : {}) };
    }
    case 'item_page':
      return parts.length < 6 ? undefined : withOptions({ type: 'item', sid, asin }, last);
    case 'item_sub_page':
      return parts.length < 7 ? undefined : withOptions({ type: 'item_sub', sid, asin, sub: decode(parts.at(-2) ?? '') }, last);
    case 'done':
      return parts.length < 4 ? undefined : withOptions({ type: 'done', sid, asin }, last);
    default:
      return undefined;
  }
};
