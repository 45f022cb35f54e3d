import type { CanonicalKey } from '../../src/protocol/site-profile.js';
import { readWebShopLayout, SCORE_HEADING, type WebShopTextLayout } from './webshop-profile-layout.js';
import { parseWebShopUrl, type WebShopUrlInfo } from './webshop-profile-url.js';

export const WEBSHOP_KEY_VERSION = 'webshop-key/1';

/**
 * A short stable hash (64-bit FNV-1a over UTF-16 code units, 16 hex digits) for states whose
 * identity is only their text: pure, so the same in every process and on every machine.
 */
export const shortHash = (text: string): string => {
  let hash = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= BigInt(text.charCodeAt(i));
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
};

/** Escapes the separators of the options field so distinct option sets never share a key. */
const escapeField = (text: string): string => text.replace(/[%;=|]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** `k=v` pairs sorted by name, joined by ';' (the URL's order does not change the state). */
const optionsField = (url: WebShopUrlInfo | undefined): string => {
  if (url?.options !== undefined) {
    return [...url.options]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${escapeField(k)}=${escapeField(v)}`)
      .join(';');
  }
  // An options segment that is no flat dict literal still tells states apart, as written.
  return url?.optionsLiteral !== undefined && url.optionsLiteral !== '' ? `!${escapeField(url.optionsLiteral)}` : '';
};

const asinOf = (url: WebShopUrlInfo | undefined): string | undefined => (url?.asin ? url.asin.toUpperCase() : undefined);

const keyOf = (layout: WebShopTextLayout, url: WebShopUrlInfo | undefined): string => {
  switch (layout.type) {
    case 'search':
      return 'search';
    case 'results':
      return `results|p=${layout.page}|${layout.asins.map((a) => a.toUpperCase()).join(',')}`;
    case 'item': {
      const asin = asinOf(url);
      if (asin !== undefined) return `item|${asin}|${optionsField(url)}`;
      const title = layout.segments[layout.price - 1] ?? '';
      return `item|#${shortHash(title)}|`;
    }
    case 'item_sub': {
      const asin = asinOf(url);
      if (asin !== undefined && url?.sub !== undefined) return `item_sub|${asin}|${escapeField(url.sub)}|${optionsField(url)}`;
      // Without a URL neither product nor tab is shown: the content itself identifies the state.
      return `item_sub|#${shortHash(layout.segments.slice(layout.prev + 1).join(' [SEP] '))}|?|`;
    }
    case 'done': {
      const score = layout.segments.indexOf(SCORE_HEADING);
      return `done|${score >= 0 ? (layout.segments[score + 1] ?? '') : '?'}`;
    }
  }
};

/**
 * The canonical state key (version WEBSHOP_KEY_VERSION), equal for equal states and different
 * otherwise. Format, by page type:
 *  - `search`
 *  - `results|p=<page>|<ASIN,ASIN,…>`: page and result ASINs (upper case) from the text;
 *  - `item|<ASIN>|<options>`: ASIN and chosen options from the URL; `<options>` = `k=v` pairs
 *    sorted by name joined by ';' ('%', ';', '=', '|' escaped as %XX), '' when none, or
 *    `!<literal>` when the URL's options segment is not a flat str → str dict;
 *  - `item_sub|<ASIN>|<Sub>|<options>`: the same plus the sub-page name as in the URL
 *    ('Description', 'Features', 'Reviews', 'Attributes');
 *  - `done|<reward>`: the score after 'Your score (min 0.0, max 1.0)' as the page prints it.
 * Without a URL (an experience model's state), chosen options are invisible in the simple text:
 * an item page becomes `item|#<hash of title>|` and a sub-page `item_sub|#<hash of content>|?|`.
 * A text that is no WebShop page becomes `unknown|#<hash of text>`. A URL-less key therefore
 * never equals the URL key of the same page: compare keys computed the same way (both with, or
 * both without, the URL).
 */
export const webShopCanonicalKey = (state: { text: string; url?: string | undefined }): CanonicalKey => {
  const layout = readWebShopLayout(state.text);
  if (layout === undefined) return { version: WEBSHOP_KEY_VERSION, key: `unknown|#${shortHash(state.text.trim())}` };
  const url = state.url === undefined ? undefined : parseWebShopUrl(state.url);
  // A URL of another page type (stale or mismatched) says nothing about this text.
  const matching = url?.type === layout.type ? url : undefined;
  return { version: WEBSHOP_KEY_VERSION, key: keyOf(layout, matching) };
};
