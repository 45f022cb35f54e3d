import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as cheerio from 'cheerio';
import { describe, expect, it } from 'vitest';
import { createWebShopEnvFactory } from '../adapters/webshop/webshop-env-factory.js';
import type { WebShopEnv } from '../adapters/webshop/webshop-env.js';
import { webShopAvailableActions, webShopPageType } from '../adapters/webshop/webshop-profile.js';
import { DreambridgeError } from '../src/env/errors.js';
import type { Observation, Task } from '../src/protocol/index.js';
import { referenceSimpleText } from './helpers/reference-text.js';
import { startProxy } from './helpers/rewriting-proxy.js';
import { useWebShopBridge } from './helpers/webshop-bridge.js';

const bridge = useWebShopBridge();

const task = (index: number): Task => ({ task_id: String(index), env: 'webshop' });

/** Available actions by the reference's DOM definition, computed independently from raw HTML. */
const referenceActions = (html: string) => {
  const $ = cheerio.load(html);
  const clickables: string[] = [];
  const add = (v: string) => void (clickables.includes(v) || clickables.push(v));
  $('.btn').each((_, el) => add($(el).text().trim().toLowerCase()));
  $('.product-link').each((_, el) => add($(el).text().trim().toLowerCase()));
  $('input[type="radio"]').each((_, el) => add($(el).attr('value') ?? ''));
  return { has_search_bar: $('#search_input').length > 0, clickables };
};

/** The observation must equal the independent reference over the raw HTML of the same URL. */
const checkAgainstReference = async (observation: Observation): Promise<void> => {
  const html = await (await fetch(observation.url!)).text();
  expect(observation.text).toBe(referenceSimpleText(html));
  expect(observation.available_actions).toEqual(referenceActions(html));
  expect(observation.source).toBe('real');
  // What the dream side reads from the text alone agrees with what the page's elements say.
  expect(webShopAvailableActions(observation.text)).toEqual(observation.available_actions);
  expect(webShopPageType(observation.text)).toBe(observation.page_type);
};

/** The first six words of a title, lower-cased, as a search query. */
const titleWords = (title: string): string[] => title.toLowerCase().split(/\s+/).slice(0, 6);

const clickables = (o: Observation): string[] => (o.available_actions as { clickables: string[] }).clickables;

describe('WebShopEnv against the fixture in Chromium', () => {
  it('walks every page type with reference observations and available actions, then buys', async () => {
    const env = await bridge.factory.create();
    try {
      const goal = bridge.fixture.site.goals[1500]!;
      let obs = await env.reset(task(1500));
      expect(obs.page_type).toBe('search');
      expect(obs.instruction).toBe(goal.instruction_text);
      expect(obs.url).toMatch(/-fixed_1500$/);
      expect(clickables(obs)).toEqual(['search']);
      await checkAgainstReference(obs);

      let step = await env.step(`search[${goal.query}]`);
      obs = step.observation;
      expect(obs.page_type).toBe('results');
      expect(step).toMatchObject({ reward: 0, done: false, truncated: false });
      expect(step.info.latency_ms).toBeGreaterThan(0);
      await checkAgainstReference(obs);

      step = await env.step('click[Next >]');
      expect(step.observation.text).toContain('Page 2 (Total results:');
      expect(clickables(step.observation).slice(0, 3)).toEqual(['back to search', '< prev', 'next >']);
      await checkAgainstReference(step.observation);
      step = await env.step('click[< prev]');
      const asin = clickables(step.observation).find((c) => /^b0[a-z0-9]{8}$/.test(c))!;
      step = await env.step(`click[${asin}]`);
      obs = step.observation;
      expect(obs.page_type).toBe('item');
      await checkAgainstReference(obs);

      const product = bridge.fixture.site.productByAsin.get(asin.toUpperCase())!;
      const option = product.options[0]?.[1].at(-1);
      if (option !== undefined) {
        step = await env.step(`click[${option}]`);
        expect(decodeURIComponent(step.observation.url!)).toContain(`'${option}'`);
        await checkAgainstReference(step.observation);
      }
      step = await env.step('click[description]');
      expect(step.observation.page_type).toBe('item_sub');
      await checkAgainstReference(step.observation);
      step = await env.step('click[< prev]');
      expect(step.observation.page_type).toBe('item');
      if (option !== undefined) expect(decodeURIComponent(step.observation.url!)).toContain(`'${option}'`);

      step = await env.step('click[buy now]');
      expect(step.done).toBe(true);
      expect(step.observation.page_type).toBe('done');
      expect(step.reward).toBeGreaterThanOrEqual(0);
      expect(step.reward).toBeLessThanOrEqual(1);
      expect(step.info.reward_components).toMatchObject({ r_type: expect.any(Number), r_att: expect.any(Number) });
      expect(clickables(step.observation)).toEqual([]);
      expect(step.observation.instruction).toBe(goal.instruction_text);
      await checkAgainstReference(step.observation);
    } finally {
      await env.close();
    }
  });

  it('buying the goal product with its options reads reward 1.0 from the done page', async () => {
    // A train goal within budget whose product the search lists on page 1 for its title words.
    const { goals, prices, search } = bridge.fixture.site;
    const index = goals.findIndex(
      (g, i) => i >= 1500 && (prices.get(g.asin) ?? Infinity) <= g.price_upper && search.search(titleWords(g.name)).slice(0, 10).some((p) => p.asin === g.asin),
    );
    expect(index).toBeGreaterThanOrEqual(1500);
    const goal = goals[index]!;
    const env = await bridge.factory.create();
    try {
      await env.reset(task(index));
      let step = await env.step(`search[${titleWords(goal.name).join(' ')}]`);
      step = await env.step(`click[${goal.asin.toLowerCase()}]`);
      for (const [, value] of goal.goal_options as Array<[string, string]>) step = await env.step(`click[${value}]`);
      expect(step.observation.last_action_error).toBeUndefined();
      step = await env.step('click[buy now]');
      expect(step.reward).toBe(1);
      expect(step.info.reward_components).toMatchObject({ r_type: 1, r_att: 1, r_price: true });
    } finally {
      await env.close();
    }
  });

  it('invalid actions are no-op steps with last_action_error, reward 0; max_steps truncates', async () => {
    const short = await createWebShopEnvFactory({ baseUrl: bridge.fixture.url, maxSteps: 3 });
    const env = await short.create();
    try {
      const start = await env.reset(task(1600));
      const bad = await env.step('click[not a button]');
      expect(bad.observation.text).toBe(start.text);
      expect(bad.observation.last_action_error).toMatch(/^INVALID_ACTION: /);
      expect(bad).toMatchObject({ reward: 0, done: false, truncated: false });
      const results = await env.step('search[red shoes]');
      expect(results.observation.last_action_error).toBeUndefined();
      const noBar = await env.step('search[blue]');
      expect(noBar.observation.last_action_error).toMatch(/search/i);
      expect(noBar.observation.url).toBe(results.observation.url);
      expect(noBar.truncated).toBe(true);
    } finally {
      await env.close();
      await short.close();
    }
  });

  it('searchAnywhere lets search work from any page, as the text environment does', async () => {
    const anywhere = await createWebShopEnvFactory({ baseUrl: bridge.fixture.url, searchAnywhere: true });
    const env = await anywhere.create();
    try {
      await env.reset(task(1601));
      await env.step('search[garden]');
      const again = await env.step('search[lamp]');
      expect(again.observation.page_type).toBe('results');
      expect(decodeURIComponent(again.observation.url!)).toContain("['lamp']");
    } finally {
      await env.close();
      await anywhere.close();
    }
  });

  it('text_rich marks buttons and chosen options', async () => {
    const rich = await createWebShopEnvFactory({ baseUrl: bridge.fixture.url, observationMode: 'text_rich' });
    const env = await rich.create();
    try {
      const obs = await env.reset(task(1602));
      expect(obs.text).toContain('[button] Search [button_]');
      const product = bridge.fixture.site.products.find(
        (p) => p.options.length > 0 && bridge.fixture.site.search.search(titleWords(p.Title)).slice(0, 10).some((hit) => hit.asin === p.asin),
      )!;
      await env.step(`search[${titleWords(product.Title).join(' ')}]`);
      const item = await env.step(`click[${product.asin.toLowerCase()}]`);
      expect(item.observation.last_action_error).toBeUndefined();
      const value = product.options[0]![1][0]!;
      const chosen = await env.step(`click[${value}]`);
      expect(chosen.observation.text).toContain(`[clicked button] ${value} [clicked button_]`);
      expect(chosen.observation.text.startsWith(`You have clicked ${value}.`)).toBe(true);
    } finally {
      await env.close();
      await rich.close();
    }
  });

  it('parallel episodes on the same goal get distinct server sessions', async () => {
    const [a, b] = await Promise.all([bridge.factory.create(), bridge.factory.create()]);
    try {
      const [oa, ob] = await Promise.all([a.reset(task(1700)), b.reset(task(1700))]);
      expect(oa.url).not.toBe(ob.url);
      expect(oa.instruction).toBe(ob.instruction);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('WebShopEnv faults', () => {
  it('an unreachable base URL is a clear error naming it, fast', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const started = performance.now();
    const attempt = createWebShopEnvFactory({ baseUrl: `http://127.0.0.1:${port}` });
    await expect(attempt).rejects.toThrow(`cannot reach WebShop at http://127.0.0.1:${port}`);
    await expect(attempt).rejects.toMatchObject({ code: 'BASE_URL_UNREACHABLE' });
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('a page that hangs times out that step with STEP_TIMEOUT', async () => {
    // A proxy in front of the fixture that never answers item pages.
    const proxy = await startProxy(bridge.fixture.url, { hang: (url) => url.startsWith('/item_page/') });
    const url = proxy.url;
    const hanging = await createWebShopEnvFactory({ baseUrl: url });
    const env = await hanging.create();
    try {
      await env.reset(task(1603));
      const results = await env.step('search[garden]');
      const asin = clickables(results.observation).find((c) => /^b0/.test(c))!;
      const started = performance.now();
      await expect(env.step(`click[${asin}]`, { timeoutMs: 1500 })).rejects.toMatchObject({ code: 'STEP_TIMEOUT' });
      expect(performance.now() - started).toBeLessThan(5000);
    } finally {
      await env.close();
      await hanging.close();
      await proxy.close();
    }
  });

  it('a killed browser is relaunched for the next episode', async () => {
    const own = await createWebShopEnvFactory({ baseUrl: bridge.fixture.url });
    try {
      const first = (await own.create()) as WebShopEnv;
      await first.reset(task(1604));
      expect(own.provider.launches).toBe(1);
      // Kill the browser process from outside, as a crash would.
      const context = (first as unknown as { context: { browser(): { process?: () => { kill(sig: string): void } } } }).context;
      const browser = context.browser() as unknown as { close(): Promise<void> };
      await browser.close();
      await expect(first.step('search[lamp]')).rejects.toBeInstanceOf(Error);
      const second = await own.create();
      const obs = await second.reset(task(1605));
      expect(obs.page_type).toBe('search');
      expect(own.provider.launches).toBe(2);
      await second.close();
    } finally {
      await own.close();
    }
  });

  it('rejects a non-numeric goal index with a clear error', async () => {
    const env = await bridge.factory.create();
    try {
      await expect(env.reset({ task_id: 'abc', env: 'webshop' })).rejects.toBeInstanceOf(DreambridgeError);
    } finally {
      await env.close();
    }
  });
});
