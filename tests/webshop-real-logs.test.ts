import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pyRepr } from '../src/python/python-repr.js';
import { parseKeywords, parseOptions, parsePage } from '../fixtures/webshop/route-params.js';
import { optionsLiteral } from '../fixtures/webshop/templates/item-page.js';
import { doneUrl, indexUrl, itemUrl, searchResultsUrl, subPageUrl } from '../fixtures/webshop/urls.js';
import { sharedFile } from './helpers/shared-data.js';

interface LoggedPage {
  page: string;
  url: string;
  content?: { keywords?: string | string[]; page?: number | string; asin?: string; options?: Record<string, string> };
}

/** Real WebShop session logs (human demonstrations): every URL the real site wrote. */
const loggedPages = (dir: string): LoggedPage[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) =>
      readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .filter((line) => line.trim())
        .map((line) => JSON.parse(line) as LoggedPage),
    );

describe('URLs from real WebShop logs', () => {
  it('are parsed to the logged values and rebuilt byte-for-byte by our URL builders', (context) => {
    const dir = sharedFile('webshop/human_demos');
    if (!dir) return context.skip();
    const pages = loggedPages(dir);
    expect(pages.length).toBeGreaterThan(50);
    const seen = new Set<string>();
    for (const logged of pages) {
      const path = new URL(logged.url).pathname;
      const segments = path.split('/').slice(1).map(decodeURIComponent);
      const c = logged.content ?? {};
      seen.add(logged.page);
      if (logged.page === 'index') {
        expect(indexUrl(segments[0]!)).toBe(path);
      } else if (logged.page === 'search_results') {
        const [, sid, keywords, page] = segments;
        expect(parseKeywords(keywords!)).toEqual(c.keywords);
        expect(parsePage(page!)).toBe(c.page);
        expect(searchResultsUrl(sid!, pyRepr(c.keywords as string[]), c.page as number)).toBe(path);
      } else if (logged.page === 'item_page') {
        const [, sid, asin, keywords, page, options] = segments;
        expect(keywords).toBe(c.keywords);
        expect(Object.fromEntries(parseOptions(options!).pairs)).toEqual(c.options);
        expect(itemUrl(sid!, asin!, keywords!, page!, optionsLiteral(Object.entries(c.options ?? {})))).toBe(path);
      } else if (logged.page === 'item_sub_page') {
        const [, sid, asin, keywords, page, sub, options] = segments;
        expect(asin).toBe(c.asin);
        expect(keywords).toBe(c.keywords);
        expect(page).toBe(String(c.page));
        expect(['Description', 'Features', 'Reviews', 'Attributes']).toContain(sub);
        expect(Object.fromEntries(parseOptions(options!).pairs)).toEqual(c.options);
        expect(subPageUrl(sid!, asin!, keywords!, page!, sub!, optionsLiteral(Object.entries(c.options ?? {})))).toBe(path);
      } else if (logged.page === 'done') {
        const [, sid, asin, options] = segments;
        expect(Object.fromEntries(parseOptions(options!).pairs)).toEqual(c.options);
        expect(doneUrl(sid!, asin!, optionsLiteral(Object.entries(c.options ?? {})))).toBe(path);
      } else {
        // A page kind with no check above must fail the test, not pass unchecked.
        expect.unreachable(`no check for logged page kind ${logged.page}`);
      }
    }
    expect(seen).toEqual(new Set(['index', 'search_results', 'item_page', 'item_sub_page', 'done']));
  });
});
