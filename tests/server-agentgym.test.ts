import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http } from './helpers/server-client.js';
import { createDreamFactory, createToyWebShopModel, DREAM_TASKS, resultsPage, searchPage } from './helpers/server-dream.js';
import { firstProduct, openRealWebShop, searchFor, startRealServer } from './helpers/server-real.js';

type Real = Awaited<ReturnType<typeof openRealWebShop>>;

/** What AgentGym's WebshopEnvClient does, with its asserts: every call must answer 200. */
const agentGym = (base: string) => {
  const post = async (path: string, body: Record<string, unknown>): Promise<unknown> => {
    const res = await http(`${base}/agentgym/${path}`, { body });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const get = async (path: string, idx: number): Promise<unknown> => {
    const res = await http(`${base}/agentgym/${path}?env_idx=${idx}`);
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  return { post, get };
};

describe('environment server: AgentGym-compatible routes', () => {
  let real: Real;
  let t: Awaited<ReturnType<typeof startRealServer>>;
  beforeAll(async () => {
    real = await openRealWebShop();
    t = await startRealServer(real.source, { dream: { factory: createDreamFactory(createToyWebShopModel()), tasks: () => DREAM_TASKS } });
  });
  afterAll(async () => {
    await t.stop();
    await real.close();
  });

  it("plays a real WebShop episode with AgentGym's shapes and closes it (no leak)", async () => {
    const api = agentGym(t.server.url);
    expect(await http(`${t.server.url}/agentgym/`)).toMatchObject({ status: 200, body: 'ok' });
    const idx = (await api.post('create', {})) as number;
    expect(Number.isInteger(idx)).toBe(true);
    expect((await http(`${t.server.url}/agentgym/list_envs`)).body).toEqual([idx]);
    const reset = (await api.post('reset', { env_idx: idx, session_id: 1500 })) as [string, null];
    expect(reset).toHaveLength(2);
    expect(reset[1]).toBeNull();
    expect(reset[0]).toMatch(/^WebShop \[SEP\] Instruction: \[SEP\] .+ \[SEP\] Search$/);
    expect(await api.get('observation', idx)).toBe(reset[0]);
    expect(await api.get('available_actions', idx)).toEqual({ has_search_bar: true, clickables: ['search'] });
    const instruction = (await api.get('instruction_text', idx)) as string;
    expect(instruction).toMatch(/^Instruction: /);
    const state = (await api.get('state', idx)) as { url: string; html: string; instruction_text: string };
    expect(state.url).toMatch(/fixed_1500$/);
    expect(state.instruction_text).toBe(instruction);
    const step = (await api.post('step', { env_idx: idx, action: searchFor(instruction.slice('Instruction: '.length)) })) as Record<string, unknown>;
    expect(Object.keys(step).sort()).toEqual(['done', 'info', 'reward', 'state']);
    expect(step).toMatchObject({ reward: 0, done: false, info: null });
    expect(step['state']).toMatch(/Page 1 \(Total results: \d+\)/);
    const clickables = ((await api.get('available_actions', idx)) as { clickables: string[] }).clickables;
    await api.post('step', { env_idx: idx, action: `click[${firstProduct(clickables)!}]` });
    const done = (await api.post('step', { env_idx: idx, action: 'click[buy now]' })) as { reward: number; done: boolean };
    expect(done.done).toBe(true);
    expect(typeof done.reward).toBe('number');
    expect(await api.post('close', { env_idx: idx })).toEqual({ closed: true });
    expect(await api.post('close', { env_idx: idx })).toEqual({ closed: false });
    expect((await http(`${t.server.url}/agentgym/list_envs`)).body).toEqual([]);
    const after = await http(`${t.server.url}/agentgym/step`, { body: { env_idx: idx, action: 'click[buy now]' } });
    expect(after).toMatchObject({ status: 409, body: { code: 'SESSION_CLOSED' } });
    expect(await http(`${t.server.url}/agentgym/observation?env_idx=99999`)).toMatchObject({ status: 404, body: { code: 'SESSION_NOT_FOUND' } });
    const episode = (await t.runDir.readEpisodes()).find((e) => e.task_id === '1500');
    expect(episode).toMatchObject({ source: 'real', steps: 3, termination: 'done' });
    expect(real.source.openContexts!()).toBe(0);
  });

  it('selects dream with mode in the create or reset body, and maps bad input to 422', async () => {
    const api = agentGym(t.server.url);
    const idx = (await api.post('create', { mode: 'dream' })) as number;
    const reset = (await api.post('reset', { env_idx: idx, session_id: 1500 })) as [string, null];
    expect(reset[0]).toBe(searchPage(DREAM_TASKS[0]!.instruction!));
    const step = (await api.post('step', { env_idx: String(idx), action: 'search[lamp]' })) as { state: string };
    expect(step.state).toBe(resultsPage(DREAM_TASKS[0]!.instruction!));
    const other = (await api.post('create', {})) as number;
    const dreamByReset = (await api.post('reset', { env_idx: other, session_id: 1501, mode: 'dream' })) as [string, null];
    expect(dreamByReset[0]).toBe(searchPage(DREAM_TASKS[1]!.instruction!));
    expect(await http(`${t.server.url}/agentgym/step`, { body: { env_idx: idx } })).toMatchObject({ status: 422, body: { code: 'VALIDATION_ERROR' } });
    expect(await http(`${t.server.url}/agentgym/observation?env_idx=abc`)).toMatchObject({ status: 422, body: { code: 'VALIDATION_ERROR' } });
    const fresh = (await api.post('create', {})) as number;
    expect(await http(`${t.server.url}/agentgym/observation?env_idx=${fresh}`)).toMatchObject({ status: 409, body: { code: 'EXECUTION_ERROR', error_code: 'ENV_NOT_RESET' } });
    for (const id of [idx, other, fresh]) await api.post('close', { env_idx: id });
  });
});
