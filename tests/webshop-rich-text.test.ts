import { describe, expect, it } from 'vitest';
import { createWebShopEnvFactory } from '../adapters/webshop/webshop-env-factory.js';
import { parseOptions } from '../fixtures/webshop/route-params.js';
import type { Observation } from '../src/protocol/index.js';
import { referenceRichText } from './helpers/reference-text.js';
import { useWebShopBridge } from './helpers/webshop-bridge.js';

const bridge = useWebShopBridge();
const titleWords = (title: string): string[] => title.toLowerCase().split(/\s+/).slice(0, 6);

/** The URL the text env would hold, reduced to what rich mode reads: item pages' options as JSON. */
const textEnvQuotedPart = (url: string): string => {
  const path = new URL(url).pathname;
  if (!path.startsWith('/item_page/')) return '';
  const literal = decodeURIComponent(path.split('/').at(-1) ?? '{}');
  return JSON.stringify(Object.fromEntries(parseOptions(literal).pairs));
};

describe('text_rich equals WebShop rich mode', () => {
  it('on every page type, after option clicks and revisits', async () => {
    const factory = await createWebShopEnvFactory({ baseUrl: bridge.fixture.url, observationMode: 'text_rich' });
    const env = await factory.create();
    const visited = new Set<string>(); // the test's own memory of opened products
    const check = async (obs: Observation): Promise<string> => {
      const html = await (await fetch(obs.url!)).text();
      expect(obs.text).toBe(referenceRichText(html, textEnvQuotedPart(obs.url!), visited));
      return obs.text;
    };
    try {
      const { site } = bridge.fixture;
      const product = site.products.find(
        (p) => p.options.length >= 2 && site.search.search(titleWords(p.Title)).slice(0, 10).some((hit) => hit.asin === p.asin),
      )!;
      await check(await env.reset({ task_id: '1600', env: 'webshop' }));
      const query = `search[${titleWords(product.Title).join(' ')}]`;
      const pageTypes = new Set<string>();
      const act = async (action: string): Promise<string> => {
        const { observation } = await env.step(action);
        expect(observation.last_action_error).toBeUndefined();
        pageTypes.add(observation.page_type!);
        return check(observation);
      };
      await act(query);
      visited.add(product.asin);
      await act(`click[${product.asin.toLowerCase()}]`);
      const [first, second] = [product.options[0]!, product.options[1]!];
      await act(`click[${first[1][0]!}]`);
      const both = await act(`click[${second[1].at(-1)!}]`);
      expect(both.startsWith(`You have clicked ${second[1].at(-1)!}.\nYou have clicked ${first[1][0]!}.\n`)).toBe(true);
      await act('click[features]');
      await act('click[< prev]');
      await act('click[description]');
      await act('click[< prev]');
      const results = await act('click[< prev]');
      // A revisited results page marks the opened product.
      expect(results).toContain(`[clicked button] ${product.asin} [clicked button_]`);
      await act(`click[${product.asin.toLowerCase()}]`);
      await act('click[reviews]');
      await act('click[< prev]');
      await act('click[back to search]');
      visited.clear();
      await act(query);
      await act(`click[${product.asin.toLowerCase()}]`);
      visited.add(product.asin);
      await act('click[buy now]');
      expect([...pageTypes].sort()).toEqual(['done', 'item', 'item_sub', 'results', 'search']);
    } finally {
      await env.close();
      await factory.close();
    }
  }, 60_000);
});
