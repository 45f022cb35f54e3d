import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseWebShopAction } from '../adapters/webshop/webshop-profile.js';
import { createHeuristicWebShopPolicy } from '../adapters/webshop/webshop-heuristic-policy.js';
import { runEpisodes } from '../harness/runner.js';
import type { Observation } from '../src/protocol/index.js';
import { openRunDirectory } from '../src/store/index.js';
import { sharedFile } from './helpers/shared-data.js';
import { useWebShopBridge } from './helpers/webshop-bridge.js';

const bridge = useWebShopBridge();

describe('heuristic policy on the real bridge', () => {
  it('reaches a mean reward of at least 0.5 over the first 20 train goals', async () => {
    const runDir = await openRunDirectory(mkdtempSync(join(tmpdir(), 'dreambridge-heuristic-')));
    const tasks = Array.from({ length: 20 }, (_, i) => ({ task_id: String(1500 + i), env: 'webshop' as const }));
    const summary = await runEpisodes({ envFactory: bridge.factory, policy: () => createHeuristicWebShopPolicy(), tasks, concurrency: 4, runDir, runId: 'run-heuristic', envName: 'webshop' });
    await runDir.close();
    console.info(`heuristic policy, first 20 train goals: mean reward ${summary.meanReward.toFixed(3)}, success ${(summary.successRate * 100).toFixed(0)}%`);
    expect(summary.episodes).toBe(20);
    expect(summary.failedEpisodes).toBe(0);
    expect(summary.terminations.done).toBe(20);
    expect(summary.meanReward).toBeGreaterThanOrEqual(0.5);
  });
});

interface LoggedPage {
  page: string;
  url: string;
  content?: { keywords?: string[] | string; page?: number; options?: Record<string, string> };
}

/** The kind of action a real human took between two logged pages (pages, not actions, are logged). */
const actionKind = (from: LoggedPage, to: LoggedPage): string | undefined => {
  if (to.page === 'search_results' && from.page === 'index') return 'search';
  if (to.page === 'index' && from.page !== 'index') return 'back to search';
  if (to.page === 'item_page' && from.page === 'search_results') return 'product';
  if (to.page === 'item_page' && from.page === 'item_page') return 'option';
  if (to.page === 'item_sub_page') return 'sub-page';
  if (to.page === 'item_page' && from.page === 'item_sub_page') return '< prev';
  if (to.page === 'search_results' && from.page === 'item_page') return '< prev';
  if (to.page === 'search_results' && from.page === 'search_results') return (to.content?.page ?? 1) > (from.content?.page ?? 1) ? 'next >' : '< prev';
  if (to.page === 'done') return 'buy now';
  return undefined;
};

describe('actions of real human WebShop sessions', () => {
  it('every kind of action humans took is accepted by the adapter on equivalent fixture pages', async (context) => {
    const dir = sharedFile('webshop/human_demos');
    if (!dir) return context.skip();
    const kinds = new Map<string, string[]>();
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonl'))) {
      const pages = readFileSync(join(dir, file), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as LoggedPage);
      for (let i = 1; i < pages.length; i += 1) {
        const kind = actionKind(pages[i - 1]!, pages[i]!);
        const keywords = pages[i]!.content?.keywords;
        if (kind) kinds.set(kind, [...(kinds.get(kind) ?? []), Array.isArray(keywords) ? keywords.join(' ') : '']);
      }
    }
    expect([...kinds.keys()].sort()).toEqual(expect.arrayContaining(['buy now', 'option', 'product', 'search']));

    // Replay each kind on the fixture, with the humans' own search words, through the adapter.
    const env = await bridge.factory.create();
    const exercised = new Set<string>();
    const clickables = (o: Observation) => (o.available_actions as { clickables: string[] }).clickables;
    const act = async (kind: string, action: string): Promise<Observation> => {
      expect(parseWebShopAction(action).ok, action).toBe(true);
      const step = await env.step(action);
      expect(step.observation.last_action_error, `${kind}: ${action}`).toBeUndefined();
      exercised.add(kind);
      return step.observation;
    };
    try {
      await env.reset({ task_id: '1500', env: 'webshop' });
      const query = kinds.get('search')!.find((k) => k.length > 0) ?? 'gift';
      let obs = await act('search', `search[${query}]`);
      obs = await act('next >', 'click[next >]');
      obs = await act('< prev', 'click[< prev]');
      const withOptions = bridge.fixture.site.products.find((p) => p.options.length > 0 && clickables(obs).includes(p.asin.toLowerCase()));
      const asin = withOptions?.asin.toLowerCase() ?? clickables(obs).find((c) => /^b0/.test(c))!;
      obs = await act('product', `click[${asin}]`);
      const option = bridge.fixture.site.productByAsin.get(asin.toUpperCase())!.options[0]?.[1][0];
      if (option !== undefined) obs = await act('option', `click[${option}]`);
      obs = await act('sub-page', 'click[features]');
      obs = await act('< prev', 'click[< prev]');
      obs = await act('back to search', 'click[back to search]');
      obs = await act('search', `search[${query}]`);
      obs = await act('product', `click[${asin}]`);
      await act('buy now', 'click[buy now]');
    } finally {
      await env.close();
    }
    for (const kind of kinds.keys()) expect(exercised.has(kind), kind).toBe(true);
  });
});
