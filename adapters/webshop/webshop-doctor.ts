import type { EnvFactory } from '../../src/env/env.js';
import type { Observation } from '../../src/protocol/index.js';
import type { BrowserSource } from '../browser/browser-provider.js';
import { createWebShopEnvFactory } from './webshop-env-factory.js';
import { createWebShopHttpEnvFactory } from './webshop-http-env-factory.js';
import type { WebShopTransport } from './webshop-transport-flag.js';
import { webShopAvailableActions, webShopPageType } from './webshop-profile.js';

export interface DoctorCheck {
  name: string;
  status: 'pass' | 'fail' | 'warn';
  detail: string;
}

export interface DoctorReport {
  baseUrl: string;
  ok: boolean;
  checks: DoctorCheck[];
}

export interface DoctorOptions {
  baseUrl: string;
  /** Goal index whose session the walk uses. Default 0. */
  goal?: number;
  browser?: BrowserSource;
  /** Per-step timeout. Default 30000 ms. */
  timeoutMs?: number;
  /** Which transport walks the site. Default 'browser'. */
  transport?: WebShopTransport;
}

class WalkStopped extends Error {}

const clickablesOf = (o: Observation): string[] => (o.available_actions as { clickables: string[] }).clickables;
const shorten = (text: string, n = 160): string => (text.length > n ? `${text.slice(0, n)}…` : text);

/** The words of an instruction a search would use: no price phrase, no options, no stop words. */
const searchWords = (instruction: string): string =>
  instruction
    .toLowerCase()
    .replace(/,? and price lower than [\d.]+ dollars/, '')
    .split(/ with [a-z ]+: /)[0]!
    .replace(/[^a-z0-9 ]/g, ' ')
    .split(/\s+/)
    .filter((w) => w.length > 2 && !['find', 'need', 'want', 'looking', 'for', 'the', 'and', 'with', 'that', "i'm"].includes(w))
    .slice(0, 4)
    .join(' ');

/**
 * A conformance walk against a WebShop deployment (search page, search, results, item page, an
 * option, a sub-page, the purchase and its reward element), saying precisely what differs from
 * what the adapter needs. Stops at the first failure that makes the rest impossible.
 */
export const runWebShopDoctor = async (options: DoctorOptions): Promise<DoctorReport> => {
  const checks: DoctorCheck[] = [];
  const pass = (name: string, detail: string) => checks.push({ name, status: 'pass', detail });
  const warn = (name: string, detail: string) => checks.push({ name, status: 'warn', detail });
  const fail = (name: string, detail: string): never => {
    checks.push({ name, status: 'fail', detail });
    throw new WalkStopped(detail);
  };
  const expectThat = (name: string, ok: boolean, good: string, bad: string) => (ok ? pass(name, good) : fail(name, bad));
  /** The text parse (what the dream side sees) must agree with the DOM (what the real side sees). */
  const agree = (name: string, o: Observation, pageType: string) => {
    const parsed = webShopPageType(o.text);
    expectThat(`${name}: page type`, parsed === pageType && o.page_type === pageType, pageType, `expected a ${pageType} page; the URL says ${o.page_type ?? 'nothing known'}, the text reads as ${parsed ?? 'no known page'}: "${shorten(o.text)}"`);
    const fromText = webShopAvailableActions(o.text);
    const dom = o.available_actions as { has_search_bar: boolean; clickables: string[] };
    const same = fromText.has_search_bar === dom.has_search_bar && JSON.stringify(fromText.clickables) === JSON.stringify(dom.clickables);
    expectThat(`${name}: available actions`, same, `${dom.clickables.length} clickables`, `the page's elements give ${JSON.stringify(dom)} but its text reads as ${JSON.stringify(fromText)}`);
  };

  let factory: EnvFactory | undefined;
  try {
    try {
      const timeoutMs = options.timeoutMs ?? 30_000;
      factory =
        options.transport === 'http'
          ? await createWebShopHttpEnvFactory({ baseUrl: options.baseUrl, timeoutMs })
          : await createWebShopEnvFactory({ baseUrl: options.baseUrl, ...(options.browser ? { browser: options.browser } : {}), timeoutMs });
      pass('base URL', `${options.baseUrl} answers`);
    } catch (error) {
      fail('base URL', (error as Error).message);
    }
    const env = await factory!.create();
    const step = async (name: string, action: string) => {
      const result = await env.step(action).catch((error: unknown) => fail(name, `${action} failed: ${(error as Error).message}`));
      if (result.observation.last_action_error) fail(name, `${action} was refused: ${result.observation.last_action_error}`);
      return result;
    };

    const goal = options.goal ?? 0;
    const search = await env.reset({ task_id: String(goal), env: 'webshop' }).catch((error: unknown) => fail('search page', (error as Error).message));
    expectThat(
      'search page: text format',
      /^WebShop \[SEP\] Instruction: \[SEP\] .+ \[SEP\] Search$/.test(search.text),
      'WebShop [SEP] Instruction: [SEP] … [SEP] Search',
      `expected "WebShop [SEP] Instruction: [SEP] <instruction> [SEP] Search", found "${shorten(search.text)}"`,
    );
    expectThat('search page: instruction', search.instruction.length > 0, shorten(search.instruction, 60), 'no instruction in #instruction-text h4');
    agree('search page', search, 'search');

    const query = searchWords(search.instruction) || 'gift';
    const results = (await step('search', `search[${query}]`)).observation;
    expectThat('search: results URL', /\/search_results\//.test(new URL(results.url!).pathname), new URL(results.url!).pathname, `the search form led to ${results.url}, not /search_results/<sid>/<keywords>/<page>`);
    expectThat(
      'results page: header',
      /(^|\[SEP\] )Back to Search \[SEP\] Page 1 \(Total results: \d+\) \[SEP\] Next >/.test(results.text),
      'Back to Search [SEP] Page 1 (Total results: N) [SEP] Next >',
      `expected "Back to Search [SEP] Page 1 (Total results: N) [SEP] Next >", found "${shorten(results.text.replace(/^Instruction: \[SEP\] .*? \[SEP\] (?=Back)/, ''))}"`,
    );
    agree('results page', results, 'results');
    const asins = clickablesOf(results).filter((c) => /^[a-z0-9]{10}$/.test(c) && !['next >'].includes(c));
    if (asins.length === 0) fail('results page: products', `no a.product-link results for "${query}"`);
    pass('results page: products', `${asins.length} products on page 1`);

    let item = (await step('item page', `click[${asins[0]}]`)).observation;
    agree('item page', item, 'item');
    const needed = ['back to search', '< prev', 'description', 'features', 'reviews', 'buy now'];
    const missing = needed.filter((c) => !clickablesOf(item).includes(c));
    expectThat('item page: buttons', missing.length === 0, needed.join(', '), `missing ${missing.map((m) => `"${m}"`).join(', ')} among .btn elements`);
    expectThat('item page: price and rating', /\[SEP\] Price: .+ \[SEP\] Rating: /.test(item.text), 'Price: … [SEP] Rating: …', `no "Price: … [SEP] Rating: …" in "${shorten(item.text)}"`);

    const option = clickablesOf(item).find((c) => !needed.includes(c) && c !== 'attributes');
    if (option === undefined) {
      warn('item page: options', `product ${asins[0]} has no option radios; option handling was not exercised`);
    } else {
      const before = item.url;
      item = (await step('option', `click[${option}]`)).observation;
      expectThat('option: data-url navigation', item.url !== before && item.page_type === 'item', `chose "${option}"`, `clicking option "${option}" did not navigate to its data-url item page (still ${item.url})`);
    }

    const sub = (await step('sub-page', 'click[description]')).observation;
    agree('sub-page', sub, 'item_sub');
    const back = (await step('sub-page: < Prev', 'click[< prev]')).observation;
    expectThat('sub-page: < Prev', back.url === item.url, 'back to the same item page, options kept', `< Prev led to ${back.url}, expected ${item.url}`);

    const done = await step('purchase', 'click[buy now]');
    expectThat('purchase: done page', done.done && done.observation.page_type === 'done', 'done page', `Buy Now led to ${done.observation.url} ("${shorten(done.observation.text)}")`);
    expectThat(
      'purchase: reward element',
      /Your score \(min 0\.0, max 1\.0\) \[SEP\] [\d.e-]+/.test(done.observation.text) && done.reward >= 0 && done.reward <= 1,
      `#reward pre reads ${done.reward}`,
      `no score in "#reward pre" (text: "${shorten(done.observation.text)}")`,
    );
    const components = done.info.reward_components ?? {};
    expectThat('purchase: reward components', 'r_type' in components, Object.keys(components).join(', '), 'no #reward_info with r_type, r_att, … on the done page');
    await env.close();
  } catch (error) {
    if (!(error instanceof WalkStopped)) checks.push({ name: 'walk', status: 'fail', detail: (error as Error).message });
  } finally {
    await factory?.close();
  }
  return { baseUrl: options.baseUrl, ok: checks.every((c) => c.status !== 'fail'), checks };
};
