import type { SessionPage } from './webshop-session-pages.js';

/** The action between two logged pages, or why no rule explains the pair. */
export type InferredAction = { ok: true; action: string } | { ok: false; reason: string };

/** The page number of an item or sub-page URL (the `<page>` segment before `<options>`/`<Sub>`). */
const pageOf = (p: SessionPage): number | undefined => {
  if (p.url.type === 'results') return p.url.page;
  const parts = new URL(p.logged.url, 'http://webshop.invalid').pathname.split('/');
  const raw = parts.at(p.url.type === 'item_sub' ? -3 : -2);
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : undefined;
};

const sameOptions = (a: SessionPage, b: SessionPage): boolean =>
  JSON.stringify([...(a.url.options ?? [])].sort()) === JSON.stringify([...(b.url.options ?? [])].sort());

/** The one option value `next` sets that `prev` did not have, if exactly one changed. */
const changedOption = (prev: SessionPage, next: SessionPage): string | undefined => {
  const before = new Map(prev.url.options ?? []);
  const after = new Map(next.url.options ?? []);
  const changed = [...after].filter(([k, v]) => before.get(k) !== v);
  const dropped = [...before.keys()].filter((k) => !after.has(k));
  return changed.length === 1 && dropped.length === 0 ? changed[0]?.[1] : undefined;
};

const sameItem = (a: SessionPage, b: SessionPage): boolean => a.url.asin?.toUpperCase() === b.url.asin?.toUpperCase();

/** The search words the site turned into `<keywords>`: `query.lower().split(' ')` read back. */
const searchWords = (p: SessionPage): string | undefined => {
  const kw = p.logged.content?.keywords;
  if (Array.isArray(kw)) return kw.join(' ');
  return typeof kw === 'string' && kw.trim() !== '' ? kw : undefined;
};

/**
 * The action WebShop's text environment would have taken between two consecutive logged pages:
 * search → results = `search[<logged keywords>]`; results → results ±1 = `click[next >]` /
 * `click[< prev]`; results → item of a listed ASIN = `click[<asin>]`; item → item with one option
 * changed = `click[<value>]`; item → sub-page = `click[<sub>]`; sub-page → item = `click[< prev]`;
 * item → its results page = `click[< prev]`; any page → search = `click[back to search]`;
 * item → done = `click[buy now]`. Anything else is not explained (and never guessed).
 */
export const inferSessionAction = (prev: SessionPage, next: SessionPage): InferredAction => {
  const from = prev.url.type;
  const to = next.url.type;
  const no = (why: string): InferredAction => ({ ok: false, reason: `${from} → ${to}: ${why}` });
  if (from === 'done') return no('the session is over after the purchase');
  if (to === 'search') return from === 'search' ? no('the search page again with no action between') : { ok: true, action: 'click[back to search]' };
  switch (from) {
    case 'search': {
      if (to !== 'results' || next.url.page !== 1) return no('only a search leaves the search page (to results page 1)');
      const words = searchWords(next);
      return words === undefined ? no('the results page logged no keywords') : { ok: true, action: `search[${words}]` };
    }
    case 'results': {
      if (to === 'results') {
        if (next.keywords !== prev.keywords) return no('other keywords without a search');
        const step = (next.url.page ?? 0) - (prev.url.page ?? 0);
        return step === 1 ? { ok: true, action: 'click[next >]' } : step === -1 ? { ok: true, action: 'click[< prev]' } : no(`page ${prev.url.page} to ${next.url.page}`);
      }
      if (to !== 'item') return no('a results page leads to an item, another results page or the search page');
      const asin = next.url.asin?.toUpperCase() ?? '';
      if (!prev.asins.map((a) => a.toUpperCase()).includes(asin)) return no(`${asin} is not among the results listed`);
      if (next.keywords !== prev.keywords || pageOf(next) !== prev.url.page) return no('the item page names other keywords or another results page');
      return { ok: true, action: `click[${asin.toLowerCase()}]` };
    }
    case 'item': {
      if (to === 'results') {
        return next.keywords === prev.keywords && next.url.page === pageOf(prev) ? { ok: true, action: 'click[< prev]' } : no('back to another results page than the item came from');
      }
      if (!sameItem(prev, next)) return no('another product without going back');
      if (to === 'item') {
        const value = changedOption(prev, next);
        return value === undefined ? no('not exactly one option set') : { ok: true, action: `click[${value}]` };
      }
      if (!sameOptions(prev, next)) return no('the options changed');
      if (to === 'item_sub') return { ok: true, action: `click[${(next.url.sub ?? '').toLowerCase()}]` };
      return { ok: true, action: 'click[buy now]' };
    }
    case 'item_sub':
      return to === 'item' && sameItem(prev, next) && sameOptions(prev, next) ? { ok: true, action: 'click[< prev]' } : no('a sub-page leads back to its item page or to the search page');
  }
};
