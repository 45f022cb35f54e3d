import * as cheerio from 'cheerio';
import { simpleTextFromHtml } from '../../adapters/webshop/html-simple-text.js';
import { startWebShop } from '../../fixtures/webshop/server.js';
import { goalSplit } from '../../fixtures/webshop/splits.js';
import { buildWebShopSite } from '../../fixtures/webshop/webshop-site.js';

export interface DemoFlags {
  goal?: number;
  seed: number;
  size: number;
  width: number;
}

interface Fetched {
  url: string;
  html: string;
}

const fetchPage = async (url: string, init?: RequestInit): Promise<Fetched> => {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  const html = await response.text();
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url} answered ${response.status}: ${simpleTextFromHtml(html)}`);
  return { url: response.url, html };
};

const postForm = (url: string, fields: Record<string, string> = {}): Promise<Fetched> =>
  fetchPage(url, { method: 'POST', body: new URLSearchParams(fields), headers: { 'content-type': 'application/x-www-form-urlencoded' } });

/** The search words a simple heuristic takes from a goal: the instruction without options and budget. */
export const heuristicQuery = (instruction: string): string =>
  instruction
    .replace(/,? and price lower than [\d.]+ dollars$/, '')
    .split(' with ')[0]!
    .replace(/^(find me|i need|i want|i'm looking for|i am looking for|get me|buy me)\s+/i, '')
    .trim();

const shorten = (text: string, width: number): string => (text.length <= width ? text : `${text.slice(0, width - 1)}…`);

/**
 * One WebShop episode over plain HTTP against the local fixture: search, open the first result,
 * pick options named in the instruction, buy. A heuristic walk, not an LLM: it says so.
 */
export const runDemo = async (flags: DemoFlags): Promise<void> => {
  const site = await buildWebShopSite({ seed: flags.seed, size: flags.size });
  const running = await startWebShop(site, { port: 0 });
  try {
    const goalIndex = flags.goal ?? Math.min(site.goals.length - 1, 1500);
    const goal = site.goals[goalIndex];
    if (!goal) throw new Error(`--goal ${goalIndex} is out of range: this site has goals 0 to ${site.goals.length - 1}`);
    const sid = `demo_fixed_${goalIndex}`;
    console.log(`dreambridge demo: WebShop fixture at ${running.url} (${site.products.length} generated products, seed ${site.seed})`);
    console.log('embedded defaults: no LLM configured, a heuristic policy walks the site over HTTP\n');
    console.log(`goal ${goalIndex} (${goalSplit(goalIndex)} split): ${goal.instruction_text}\n`);
    let step = 0;
    const show = (label: string, page: Fetched, action?: string): void => {
      console.log(`[${step}] ${label}  ${page.url.replace(running.url, '')}`);
      console.log(`    observation: ${shorten(simpleTextFromHtml(page.html), flags.width)}`);
      if (action) console.log(`    action: ${action}`);
      step += 1;
    };

    const search = await fetchPage(`${running.url}/${sid}`);
    const query = heuristicQuery(goal.instruction_text);
    show('search page', search, `search[${query}]`);
    const searchAction = new URL(cheerio.load(search.html)('form#form-buscar').attr('action') ?? `/${sid}`, running.url).href;
    const results = await postForm(searchAction, { search_query: query });
    const $results = cheerio.load(results.html);
    const first = $results('a.product-link').first();
    if (first.length === 0) {
      show('results page', results);
      console.log('\nno results for that query; the episode ends without a purchase (reward 0)');
      return;
    }
    show('results page', results, `click[${first.text().toLowerCase()}]`);
    let item = await fetchPage(new URL(first.attr('href') ?? '', running.url).href);

    const wanted = goal.instruction_text.toLowerCase();
    const groups = new Set(cheerio.load(item.html)('input[type=radio]').map((_, el) => cheerio.load(el)('input').attr('name')).get());
    for (const group of groups) {
      const $item = cheerio.load(item.html);
      const radio = $item(`input[type=radio]`)
        .filter((_, el) => $item(el).attr('name') === group && wanted.includes(`${group}: ${$item(el).attr('value')}`))
        .first();
      if (radio.length === 0) continue;
      show('item page', item, `click[${radio.attr('value')}]`);
      item = await fetchPage(new URL(radio.attr('data-url') ?? '', running.url).href);
    }
    show('item page', item, 'click[buy now]');
    const buyAction = cheerio.load(item.html)('button.purchase').closest('form').attr('action') ?? '';
    const done = await postForm(new URL(buyAction, running.url).href);
    show('done page', done);
    const reward = cheerio.load(done.html)('#reward pre').text().trim();
    console.log(`\nreward: ${reward}  (components in #reward_info: ${cheerio.load(done.html)('#reward_info pre').text().replace(/\s+/g, ' ').trim()})`);
  } finally {
    await running.close();
  }
};

