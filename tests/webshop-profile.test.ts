import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleTextFromHtml } from './helpers/html-simple-text.js';
import { parseOptionsLiteral } from '../adapters/webshop/webshop-profile-dict-literal.js';
import {
  createWebShopProfile,
  parseWebShopAction,
  parseWebShopUrl,
  validateWebShopAction,
  webShopAvailableActions,
  webShopCanonicalKey,
  webShopPageType,
  webShopPageTypeFromUrl,
  WEBSHOP_KEY_VERSION,
  WEBSHOP_PROFILE_VERSION,
  type WebShopPageType,
} from '../adapters/webshop/webshop-profile.js';
import { sharedFile } from './helpers/shared-data.js';
import { getText, startFixture, type FixtureHandle } from './helpers/webshop-fixture.js';

/** WebShop's available actions from raw HTML by its own DOM definition (independent of the profile). */
const domActions = (html: string): { has_search_bar: boolean; clickables: string[] } => {
  const $ = cheerio.load(html);
  const keys: string[] = []; // a Python dict's keys: a repeated text keeps its first place
  const add = (key: string): void => {
    if (!keys.includes(key)) keys.push(key);
  };
  $('.btn').each((_, e) => add($(e).text().toLowerCase()));
  $('a.product-link').each((_, e) => add($(e).text().toLowerCase()));
  $('input[type="radio"]').each((_, e) => add($(e).attr('value') ?? ''));
  return { has_search_bar: $('#search_input').length > 0, clickables: keys };
};

interface Visit {
  url: string;
  html: string;
  text: string;
}

let plain: FixtureHandle;
let withAttrs: FixtureHandle;
const counts: Record<string, number> = {};

beforeAll(async () => {
  [plain, withAttrs] = await Promise.all([startFixture({ size: 300 }), startFixture({ size: 300, showAttrs: true })]);
});
afterAll(async () => {
  await Promise.all([plain?.running.close(), withAttrs?.running.close()]);
  console.info(`webshop-profile: pages checked against the DOM definition by type: ${JSON.stringify(counts)}`);
});

const visit = async (fixture: FixtureHandle, path: string, init?: RequestInit): Promise<Visit> => {
  const url = path.startsWith('http') ? path : `${fixture.url}${path}`;
  const response = await getText(url, init);
  expect(response.status, url).toBe(200);
  return { url, html: response.body, text: simpleTextFromHtml(response.body) };
};

/** The page's text-only actions and page type equal the DOM's and the URL's. */
const check = (page: Visit, type: WebShopPageType): void => {
  expect(webShopPageType(page.text), page.text).toBe(type);
  expect(webShopPageTypeFromUrl(page.url)).toBe(type);
  expect(webShopAvailableActions(page.text), page.text).toEqual(domActions(page.html));
  counts[type] = (counts[type] ?? 0) + 1;
};

/** The form action of the button labelled `label` (WebShop's buttons post to their target). */
const buttonTarget = (html: string, label: string): string => {
  const $ = cheerio.load(html);
  const form = $('button').filter((_, e) => $(e).text() === label).first().closest('form');
  const action = form.attr('action');
  expect(action, `button ${label}`).toBeDefined();
  return action!;
};

describe('WebShop profile on fixture pages over HTTP', () => {
  it('reads page type and available actions of every page type like the DOM does', async () => {
    const goal = plain.site.goals.find((g) => (plain.site.productByAsin.get(g.asin)?.options.length ?? 0) >= 2)!;
    const sid = `fixed_${plain.site.goals.indexOf(goal)}`;
    check(await visit(plain, `/${sid}`), 'search');

    const posted = await getText(`${plain.url}/${sid}`, { method: 'POST', body: new URLSearchParams({ search_query: goal.query }) });
    const results = await visit(plain, posted.location!);
    check(results, 'results');
    expect(results.text).toContain('Page 1 (Total results: ');
    const page2 = await visit(plain, buttonTarget(results.html, 'Next >'));
    check(page2, 'results');
    expect(page2.text).toContain('Page 2 (Total results: ');
    expect(webShopAvailableActions(page2.text).clickables.slice(0, 3)).toEqual(['back to search', '< prev', 'next >']);
    check(await visit(plain, buttonTarget(page2.html, 'Next >')), 'results');

    // An item with options, reached through its result link.
    const $ = cheerio.load(results.html);
    const link = $('a.product-link').filter((_, e) => (plain.site.productByAsin.get($(e).text())?.options.length ?? 0) >= 2).first();
    const item = await visit(plain, link.attr('href')!);
    check(item, 'item');
    const product = plain.site.productByAsin.get(link.text())!;
    const values = product.options.flatMap(([, v]) => v);
    expect(webShopAvailableActions(item.text).clickables).toEqual([
      'back to search', '< prev', 'description', 'features', 'reviews', 'buy now', ...new Set(values),
    ]);

    // Choose an option: the radio's data-url is where the real page's script navigates.
    const radio = cheerio.load(item.html)('input[type="radio"]').last();
    const chosen = await visit(plain, radio.attr('data-url')!);
    check(chosen, 'item');
    expect(chosen.text).toBe(item.text); // chosen options are invisible in the simple text
    for (const sub of ['Description', 'Features', 'Reviews']) {
      const subPage = await visit(plain, buttonTarget(chosen.html, sub));
      check(subPage, 'item_sub');
      check(await visit(plain, buttonTarget(subPage.html, '< Prev')), 'item');
    }
    check(await visit(plain, buttonTarget(chosen.html, 'Buy Now')), 'done');
  });

  it('reads the attributes tab and its sub-page (site run with showAttrs)', async () => {
    const product = withAttrs.site.products.find((p) => p.options.length > 0)!;
    const item = await visit(withAttrs, `/item_page/fixed_1500/${product.asin}/x/1/%7B%7D`);
    check(item, 'item');
    expect(webShopAvailableActions(item.text).clickables).toContain('attributes');
    const attributes = await visit(withAttrs, buttonTarget(item.html, 'Attributes'));
    expect(attributes.url).toContain('/Attributes/');
    check(attributes, 'item_sub');
  });

  it('reads the option groups of every product of the catalogue, with and without a chosen option', async () => {
    for (const product of plain.site.products) {
      const item = await visit(plain, `/item_page/fixed_1600/${product.asin}/x/1/%7B%7D`);
      check(item, 'item');
      const radio = cheerio.load(item.html)('input[type="radio"]').first();
      if (radio.length > 0) check(await visit(plain, radio.attr('data-url')!), 'item');
    }
  });

  it('gives no page type and no actions for an error page', async () => {
    const response = await getText(`${plain.url}/item_page/fixed_1/NOSUCHASIN/x/1/%7B%7D`);
    expect(response.status).toBe(404);
    const text = simpleTextFromHtml(response.body);
    expect(webShopPageType(text)).toBeUndefined();
    expect(webShopAvailableActions(text)).toEqual({ has_search_bar: false, clickables: [] });
  });

  it('keys equal states equally and different states differently', async () => {
    const product = plain.site.products.find((p) => p.options.length >= 2)!;
    const [[n1, [a1, b1]], [n2, [a2]]] = product.options as [[string, [string, string]], [string, [string]]];
    const item = (options: string) => `/item_page/fixed_1500/${product.asin}/x/1/${encodeURIComponent(options)}`;
    const q = (s: string): string => (s.includes("'") ? `"${s}"` : `'${s}'`); // Python's repr quoting
    const esc = (s: string): string => s.replace(/[%;=|]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    const key = async (path: string): Promise<string> => {
      const page = await visit(plain, path);
      const key = webShopCanonicalKey({ text: page.text, url: page.url });
      expect(key.version).toBe(WEBSHOP_KEY_VERSION);
      return key.key;
    };
    const none = await key(item('{}'));
    expect(none).toBe(`item|${product.asin}|`);
    expect(await key(item('{}'))).toBe(none);
    const both = await key(item(`{${q(n1)}: ${q(a1)}, ${q(n2)}: ${q(a2)}}`));
    expect(await key(item(`{${q(n2)}: ${q(a2)}, ${q(n1)}: ${q(a1)}}`))).toBe(both); // URL order does not matter
    expect(both).toBe(`item|${product.asin}|${[`${esc(n1)}=${esc(a1)}`, `${esc(n2)}=${esc(a2)}`].sort().join(';')}`);
    const other = await key(item(`{${q(n1)}: ${q(b1)}, ${q(n2)}: ${q(a2)}}`));
    expect(new Set([none, both, other]).size).toBe(3);

    const sub = (name: string) => `/item_sub_page/fixed_1500/${product.asin}/x/1/${name}/%7B%7D`;
    const subKeys = [await key(sub('Description')), await key(sub('Features')), await key(sub('Reviews'))];
    expect(subKeys[0]).toBe(`item_sub|${product.asin}|Description|`);
    expect(new Set(subKeys).size).toBe(3);

    const results = (page: number) => `/search_results/fixed_1500/${encodeURIComponent("['shoes', 'black']")}/${page}`;
    const r1 = await key(results(1));
    expect(r1).toMatch(/^results\|p=1\|B0[A-Z0-9]{8}(,B0[A-Z0-9]{8}){9}$/);
    expect(await key(results(2))).toMatch(/^results\|p=2\|/);
    expect(await key(results(1))).toBe(r1);
    expect(await key(`/fixed_1500`)).toBe('search');
    expect(await key(`/done/fixed_1500/${product.asin}/%7B%7D`)).toMatch(/^done\|[01]\.\d+/);

    // Without a URL the options are invisible: the key is a hash of the title, the same for all options.
    const page = await visit(plain, item(`{${q(n1)}: ${q(a1)}}`));
    const textKey = webShopCanonicalKey({ text: page.text }).key;
    expect(textKey).toMatch(/^item\|#[0-9a-f]{16}\|$/);
    expect(webShopCanonicalKey({ text: (await visit(plain, item('{}'))).text }).key).toBe(textKey);
    const another = plain.site.products.find((p) => p.Title !== product.Title)!;
    const anotherText = (await visit(plain, `/item_page/fixed_1500/${another.asin}/x/1/%7B%7D`)).text;
    expect(webShopCanonicalKey({ text: anotherText }).key).not.toBe(textKey);
  });
});

describe('WebShop action grammar', () => {
  const item = { has_search_bar: false, clickables: ['back to search', '< prev', 'description', 'buy now', 'black', '8'] };
  const search = { has_search_bar: true, clickables: ['search'] };

  it('parses name[arg] as WebShop does', () => {
    expect(parseWebShopAction('click[Buy Now]')).toEqual({ ok: true, name: 'click', arg: 'buy now', raw: 'click[Buy Now]' });
    expect(parseWebShopAction(' Search[Red Shoes]')).toMatchObject({ ok: true, name: 'search', arg: 'red shoes' });
    expect(parseWebShopAction('click[< Prev] and more')).toMatchObject({ ok: true, name: 'click', arg: '< prev' });
    expect(parseWebShopAction('click[a [b] c]')).toMatchObject({ ok: true, name: 'click[a', arg: 'b] c' }); // greedy, as re.match
    for (const garbage of ['buy', 'click[]', '[x]', 'click[x', '', '  [x]']) {
      const parsed = parseWebShopAction(garbage);
      expect(parsed.ok, garbage).toBe(false);
      if (!parsed.ok) expect(parsed.reason.length, garbage).toBeGreaterThan(10);
    }
    expect(parseWebShopAction('click[]')).toMatchObject({ reason: expect.stringContaining('empty argument') });
    expect(parseWebShopAction('[x]')).toMatchObject({ reason: expect.stringContaining('missing action name') });
  });

  it('validates search only where there is a search bar, unless searchAnywhere', () => {
    expect(validateWebShopAction('search[Red Shoes]', search)).toEqual({ valid: true, kind: 'search', query: 'red shoes' });
    expect(validateWebShopAction('search[shoes]', item)).toMatchObject({ valid: false, reason: expect.stringContaining('no search bar') });
    expect(validateWebShopAction('search[shoes]', item, { searchAnywhere: true })).toEqual({ valid: true, kind: 'search', query: 'shoes' });
    expect(validateWebShopAction('search[   ]', search)).toMatchObject({ valid: false, reason: expect.stringContaining('empty query') });
  });

  it('validates click[x] iff x is clickable and not search', () => {
    expect(validateWebShopAction('click[Buy Now]', item)).toEqual({ valid: true, kind: 'click', target: 'buy now' });
    expect(validateWebShopAction('click[BLACK]', item)).toEqual({ valid: true, kind: 'click', target: 'black' });
    const wrong = validateWebShopAction('click[next >]', item);
    expect(wrong).toMatchObject({ valid: false, reason: expect.stringContaining('"next >" is not clickable here') });
    expect(wrong).toMatchObject({ reason: expect.stringContaining('"buy now"') });
    expect(validateWebShopAction('click[search]', search)).toMatchObject({ valid: false, reason: expect.stringContaining('not allowed') });
    expect(validateWebShopAction('buy[now]', item)).toMatchObject({ valid: false, reason: expect.stringContaining('unknown action name "buy"') });
    expect(validateWebShopAction('click[ buy now ]', item).valid).toBe(false); // WebShop does not trim the argument
    expect(validateWebShopAction('click[x]', { has_search_bar: false, clickables: [] })).toMatchObject({
      reason: expect.stringContaining('nothing is clickable here'),
    });
  });
});

describe('WebShop item text without a DOM', () => {
  const text = (options: string, instruction = 'i need hair extensions') =>
    `Instruction: [SEP] ${instruction} [SEP] Back to Search [SEP] < Prev [SEP] ${options} [SEP] Clip in Hair Extensions [SEP] Price: $8.99 [SEP] Rating: N.A. [SEP] Description [SEP] Features [SEP] Reviews [SEP] Buy Now`;
  const head = ['back to search', '< prev', 'description', 'features', 'reviews', 'buy now'];

  it('reads the reference example', () => {
    expect(webShopAvailableActions(text('color [SEP] blue [SEP] black | brown [SEP] size [SEP] 12 inch (pack of 1) [SEP] 16 inch'))).toEqual({
      has_search_bar: false,
      clickables: [...head, 'blue', 'black | brown', '12 inch (pack of 1)', '16 inch'],
    });
    const bare = 'Instruction: [SEP] x [SEP] Back to Search [SEP] < Prev [SEP] Title [SEP] Price: $1.0 [SEP] Rating: N.A. [SEP] Description [SEP] Features [SEP] Reviews [SEP] Buy Now';
    expect(webShopAvailableActions(bare).clickables).toEqual(head);
  });

  it('resolves names and values by the known names and structure', () => {
    // A known name right after a name, or one already used, is a value; an unknown first segment is a name.
    expect(webShopAvailableActions(text('style [SEP] size [SEP] color [SEP] style [SEP] red')).clickables).toEqual([...head, 'size', 'style', 'red']);
    expect(webShopAvailableActions(text('team name [SEP] bears [SEP] size [SEP] size')).clickables).toEqual([...head, 'bears', 'size']);
    expect(webShopAvailableActions(text('shade [SEP] light [SEP] dark')).clickables).toEqual([...head, 'light', 'dark']);
    // A name the instruction spells out ('with finish: matte') is a name even if unknown.
    const hinted = text('size [SEP] 8 [SEP] finish [SEP] matte', 'find shoes with size: 8, and finish: matte');
    expect(webShopAvailableActions(hinted).clickables).toEqual([...head, '8', 'matte']);
    expect(webShopAvailableActions(text('size [SEP] 8 [SEP] finish [SEP] matte')).clickables).toEqual([...head, '8', 'finish', 'matte']);
  });

  it('reads the page type of the reference shapes and nothing else', () => {
    expect(webShopPageType('WebShop [SEP] Instruction: [SEP] buy shoes [SEP] Search')).toBe('search');
    expect(webShopPageType('Instruction: [SEP] x [SEP] Back to Search [SEP] Page 2 (Total results: 50) [SEP] < Prev [SEP] Next > [SEP] B09QKP7XQL [SEP] T [SEP] $1.0')).toBe('results');
    expect(webShopPageType(text('color [SEP] red'))).toBe('item');
    expect(webShopPageType('Instruction: [SEP] x [SEP] Back to Search [SEP] < Prev [SEP] Natural looking')).toBe('item_sub');
    expect(webShopPageType('Thank you for shopping with us! [SEP] Your code: [SEP] X')).toBe('done');
    for (const other of ['', 'Not Found', 'Instruction: [SEP] x [SEP] Back to Search [SEP] hello']) expect(webShopPageType(other)).toBeUndefined();
    expect(webShopAvailableActions('Instruction: [SEP] x [SEP] Back to Search [SEP] Page 1 (Total results: 2) [SEP] Next > [SEP] B000000001 [SEP] A [SEP] $1.0 to $2.0 [SEP] 0123456789 [SEP] $3.0').clickables)
      .toEqual(['back to search', 'next >', 'b000000001', '0123456789']);
  });
});

describe('WebShop URLs and the options literal', () => {
  it('reads page types and options from URL paths', () => {
    expect(webShopPageTypeFromUrl('http://h:3000/fixed_0')).toBe('search');
    expect(webShopPageTypeFromUrl('/search_results/s/%5B%27a%27%5D/2')).toBe('results');
    expect(webShopPageTypeFromUrl('/item_page/s/B0/a/1/%7B%7D')).toBe('item');
    expect(webShopPageTypeFromUrl('/item_sub_page/s/B0/a/1/Features/%7B%7D')).toBe('item_sub');
    expect(webShopPageTypeFromUrl('/done/s/B0/%7B%7D')).toBe('done');
    for (const other of ['/', '/static/style.css', '/item_page/s/B0', 'not a url at all://']) expect(webShopPageTypeFromUrl(other)).toBeUndefined();
    expect(parseWebShopUrl('/item_page/s/B0AB/a/b/1/%7B%27size%27:%20%278%27%7D')).toMatchObject({ asin: 'B0AB', options: [['size', '8']] });
  });

  it('parses flat str → str dict literals only', () => {
    expect(parseOptionsLiteral("{'color': 'black', 'size': '8'}")).toEqual([['color', 'black'], ['size', '8']]);
    expect(parseOptionsLiteral('{"men\'s size": "it\'s 8", }')).toEqual([["men's size", "it's 8"]]);
    expect(parseOptionsLiteral("{'a': 'x\\'y\\\\z\\u00e9'}")).toEqual([['a', "x'y\\zé"]]);
    expect(parseOptionsLiteral('{}')).toEqual([]);
    for (const bad of ["{'a': 1}", "{'a': ['b']}", "{'a' 'b'}", "{'a': 'b'", "['a']", "{'a': 'b'} x", '']) {
      expect(parseOptionsLiteral(bad), bad).toBeUndefined();
    }
  });
});

describe('WebShop site profile object', () => {
  it('lists tasks by the benchmark split and wires the functions', () => {
    const profile = createWebShopProfile();
    expect(profile.env).toBe('webshop');
    expect(profile.version).toBe(WEBSHOP_PROFILE_VERSION);
    const [test, evalSplit, train] = [profile.tasks('test'), profile.tasks('eval'), profile.tasks('train')];
    expect([test.length, evalSplit.length, train.length]).toEqual([500, 1000, 5410]);
    expect(test[0]).toEqual({ task_id: '0', env: 'webshop', split: 'test' });
    expect(evalSplit[0]?.task_id).toBe('500');
    expect(train.at(-1)?.task_id).toBe('6909');
    const small = createWebShopProfile({ goalCount: 700 });
    expect([small.tasks('test').length, small.tasks('eval').length, small.tasks('train').length]).toEqual([500, 200, 0]);
    expect(() => createWebShopProfile({ goalCount: -1 })).toThrow(/goalCount/);
    expect(profile.validateAction('click[x]', { ids: ['1'] })).toMatchObject({ valid: false });
    expect(profile.validateAction('search[x]', { has_search_bar: true, clickables: ['search'] })).toMatchObject({ valid: true });
    expect(profile.prompts.system).toContain('simple');
    expect(profile.prompts.stateFormat).toContain('Page N (Total results: T)');
  });
});

interface LoggedPage {
  page: 'index' | 'search_results' | 'item_page' | 'item_sub_page' | 'done';
  url: string;
  content?: { keywords?: string | string[]; page?: number | string; asin?: string; options?: Record<string, string>; search_result_asins?: string[] };
}

const LOGGED_TYPE: Record<LoggedPage['page'], WebShopPageType> = {
  index: 'search', search_results: 'results', item_page: 'item', item_sub_page: 'item_sub', done: 'done',
};

/** The action a human took between two logged pages (the logs record pages, not actions). */
const inferAction = (a: LoggedPage, b: LoggedPage): { kind: string; action?: string } => {
  const ca = a.content ?? {};
  const cb = b.content ?? {};
  if (a.url === b.url) return { kind: `${a.page}→same page again (no action)` };
  if (b.page === 'index') return { kind: `${a.page}→index`, action: 'click[back to search]' };
  if (b.page === 'done') return { kind: `${a.page}→done`, action: 'click[buy now]' };
  if (a.page === 'index' && b.page === 'search_results') return { kind: 'index→search_results', action: `search[${(cb.keywords as string[]).join(' ')}]` };
  if (a.page === 'search_results' && b.page === 'search_results') {
    return { kind: 'results page change', action: Number(cb.page) > Number(ca.page) ? 'click[next >]' : 'click[< prev]' };
  }
  if (a.page === 'item_page' && b.page === 'search_results') return { kind: 'item_page→search_results', action: 'click[< prev]' };
  if (a.page === 'search_results' && b.page === 'item_page') return { kind: 'search_results→item_page', action: `click[${cb.asin!.toLowerCase()}]` };
  if (a.page === 'item_sub_page' && b.page === 'item_page') return { kind: 'item_sub_page→item_page', action: 'click[< prev]' };
  if (a.page === 'item_page' && b.page === 'item_sub_page') return { kind: 'item_page→item_sub_page', action: `click[${parseWebShopUrl(b.url)!.sub!.toLowerCase()}]` };
  if (a.page === 'item_page' && b.page === 'item_page' && ca.asin === cb.asin) {
    const changed = Object.entries(cb.options ?? {}).find(([k, v]) => ca.options?.[k] !== v);
    if (changed) return { kind: 'item_page→item_page (option)', action: `click[${changed[1]}]` };
  }
  return { kind: `unexpected ${a.page}→${b.page}` };
};

describe('real WebShop human sessions', () => {
  it('every inferred action parses and every logged URL has the logged page type', (context) => {
    const dir = sharedFile('webshop/human_demos');
    if (!dir) return context.skip();
    const kinds: Record<string, number> = {};
    let urls = 0;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort()) {
      const pages = readFileSync(join(dir, file), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as LoggedPage);
      for (const page of pages) {
        expect(webShopPageTypeFromUrl(page.url), page.url).toBe(LOGGED_TYPE[page.page]);
        const options = parseWebShopUrl(page.url)?.options;
        if (page.content?.options) expect(Object.fromEntries(options ?? []), page.url).toEqual(page.content.options);
        urls += 1;
      }
      for (let i = 1; i < pages.length; i += 1) {
        const [a, b] = [pages[i - 1]!, pages[i]!];
        const { kind, action } = inferAction(a, b);
        kinds[kind] = (kinds[kind] ?? 0) + 1;
        expect(kind, `${file} step ${i}`).not.toMatch(/^unexpected/);
        if (action === undefined) continue;
        const parsed = parseWebShopAction(action);
        expect(parsed, action).toMatchObject({ ok: true, arg: action.slice(action.indexOf('[') + 1, -1).toLowerCase() });
        if (a.page === 'search_results' && b.page === 'item_page') {
          // The clicked ASIN is one of the results page's clickables (built from the logged rows).
          const asins = (a.content?.search_result_asins ?? []).map((x) => x.toLowerCase());
          expect(validateWebShopAction(action, { has_search_bar: false, clickables: ['back to search', 'next >', ...asins] })).toMatchObject({ valid: true });
        }
      }
    }
    console.info(`webshop-profile: ${urls} logged URLs checked; transitions by kind: ${JSON.stringify(kinds)}`);
    expect(urls).toBeGreaterThan(50);
    expect(kinds['index→search_results']).toBeGreaterThan(0);
    expect(kinds['item_page→item_page (option)']).toBeGreaterThan(0);
  });
});
