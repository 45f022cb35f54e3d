import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryBudget, openLedger } from '../src/budget/index.js';
import { dreamContinuation } from '../src/server/continue-in-dream.js';
import { http, WsClient } from './helpers/server-client.js';
import { createDreamFactory, createToyWebShopModel, DREAM_TASKS } from './helpers/server-dream.js';
import { firstProduct, openRealWebShop, searchFor, startRealServer } from './helpers/server-real.js';

type Real = Awaited<ReturnType<typeof openRealWebShop>>;

const waitFor = async (check: () => boolean, timeoutMs = 5_000): Promise<void> => {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('environment server: real sessions against the local WebShop in Chromium', () => {
  let real: Real;
  let ledgerDir: string;
  beforeAll(async () => {
    real = await openRealWebShop();
    ledgerDir = await mkdtemp(join(tmpdir(), 'dreambridge-ledger-'));
  });
  afterAll(async () => {
    await real.close();
    await rm(ledgerDir, { recursive: true, force: true });
  });

  it('plays a real episode over WS (search, product, buy) and frees the browser context on close', async () => {
    const t = await startRealServer(real.source);
    try {
      const client = await WsClient.connect(t.server.url);
      const reset = await client.reset({ task_id: 1500 });
      const first = reset.data.observation!;
      expect(first).toMatchObject({ page_type: 'search', source: 'real', available_actions: { has_search_bar: true } });
      expect(first['url']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.*fixed_1500$/);
      expect(real.source.openContexts!()).toBe(1);
      const results = await client.step(searchFor(first['instruction'] as string));
      expect(results.data.observation).toMatchObject({ page_type: 'results', source: 'real' });
      const product = firstProduct((results.data.observation!['available_actions'] as { clickables: string[] }).clickables)!;
      expect((await client.step(`click[${product}]`)).data.observation!['page_type']).toBe('item');
      const bought = await client.step('click[buy now]');
      expect(bought.data).toMatchObject({ done: true, observation: { page_type: 'done' } });
      expect(bought.data.reward).toBeGreaterThanOrEqual(0);
      expect((await client.state()).data).toMatchObject({ step_count: 3, mode: 'real', real_steps_used: 3, session_real_steps: 3, real_steps_cap: null });
      await client.close();
      await waitFor(() => real.source.openContexts!() === 0);
      const [episode] = await t.runDir.readEpisodes();
      expect(episode).toMatchObject({ task_id: '1500', steps: 3, termination: 'done', source: 'real' });
      expect((await t.runDir.readTransitions()).map((l) => l.next_state.url)).toHaveLength(3);
      // A dream reset on a server without an experience model says what to configure.
      const again = await WsClient.connect(t.server.url);
      const dream = await again.reset({ mode: 'dream' });
      expect(dream.data).toMatchObject({ code: 'DREAM_NOT_CONFIGURED' });
      expect(dream.data.message).toMatch(/--buffer/);
      // A dropped connection (no close message) frees its context too.
      await again.reset({ task_id: 1501 });
      expect(real.source.openContexts!()).toBe(1);
      again.socket.terminate();
      await waitFor(() => real.source.openContexts!() === 0);
    } finally {
      await t.stop();
    }
  });

  it('enforces the real budget centrally (a ledger): past the cap WS answers REAL_BUDGET_EXHAUSTED, HTTP a 409, and the session survives', async () => {
    const ledgerPath = join(ledgerDir, 'ledger.json');
    const ledger = await openLedger(ledgerPath, { cap: 2 });
    const t = await startRealServer(real.source, { budget: ledger });
    try {
      const client = await WsClient.connect(t.server.url);
      await client.reset({ task_id: 1502 });
      expect((await client.step('click[not a button]')).data.observation!['last_action_error']).toMatch(/^INVALID_ACTION/);
      expect((await client.step('search[shoes]')).type).toBe('observation');
      const refused = await client.step('click[back to search]');
      expect(refused).toMatchObject({ type: 'error', data: { code: 'REAL_BUDGET_EXHAUSTED' } });
      expect((await client.state()).data).toMatchObject({ real_steps_used: 2, real_steps_cap: 2, session_real_steps: 2 });
      expect((await client.step('click[back to search]')).data.code).toBe('REAL_BUDGET_EXHAUSTED');
      expect((await client.reset({ task_id: 1503 })).data.code).toBe('REAL_BUDGET_EXHAUSTED');
      const viaHttp = await http(`${t.server.url}/reset`, { body: { task_id: 1503 } });
      expect(viaHttp).toMatchObject({ status: 409, body: { code: 'REAL_BUDGET_EXHAUSTED' } });
      await client.close();
      const [episode] = await t.runDir.readEpisodes();
      expect(episode).toMatchObject({ task_id: '1502', steps: 2, termination: 'budget' });
      // The ledger is the record: reopened, it holds both interactions and no more.
      expect((await ledger.snapshot()).used).toBe(2);
    } finally {
      await t.stop();
      await ledger.close();
    }
  });

  it('with --on-budget-exhausted dream, the episode goes on in the experience model and says so in source', async () => {
    const model = createToyWebShopModel();
    const profile = real.source.profile;
    const t = await startRealServer(real.source, {
      budget: createMemoryBudget(1),
      onBudgetExhausted: 'dream',
      dream: { factory: createDreamFactory(model), tasks: () => DREAM_TASKS, continueFrom: dreamContinuation({ model, profile }) },
    });
    try {
      const client = await WsClient.connect(t.server.url);
      const first = await client.reset({ task_id: 1500 });
      expect(first.data.observation!['source']).toBe('real');
      const results = await client.step(searchFor(first.data.observation!['instruction'] as string));
      expect(results.data.observation!['source']).toBe('real');
      const product = firstProduct((results.data.observation!['available_actions'] as { clickables: string[] }).clickables)!;
      const dreamed = await client.step(`click[${product}]`);
      expect(dreamed.type).toBe('observation');
      expect(dreamed.data.observation).toMatchObject({ source: 'dream', page_type: 'item' });
      expect((await client.state()).data).toMatchObject({ source: 'mixed', mode: 'dream', real_steps_used: 1 });
      // A new real reset past the cap is a dream reset.
      const next = await client.reset({ task_id: 1501 });
      expect(next.data.observation!['source']).toBe('dream');
      await client.close();
      const episodes = await t.runDir.readEpisodes();
      expect(episodes[0]).toMatchObject({ task_id: '1500', source: 'mixed', steps: 2, termination: 'closed' });
      expect((await t.runDir.readTransitions()).map((l) => l.source)).toEqual(['real', 'dream']);
    } finally {
      await t.stop();
    }
  });
});
