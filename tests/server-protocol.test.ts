import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DONE_PAGE, itemPage, resultsPage, searchPage } from './helpers/server-dream.js';
import { http, startDreamServer, WsClient, type TestServer } from './helpers/server-client.js';

const LAMP = 'find a brass desk lamp under 40 dollars';

describe('environment server: OpenEnv protocol (dream sessions)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startDreamServer({ metadata: { version: '9.9.9' } });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('answers what `openenv validate` checks: /health, /metadata, /schema, /openapi.json, /mcp', async () => {
    expect(await http(`${t.server.url}/health`)).toMatchObject({ status: 200, body: { status: 'healthy' } });
    const metadata = await http(`${t.server.url}/metadata`);
    expect(metadata.body).toMatchObject({ name: 'dreambridge-webshop', version: '9.9.9' });
    expect(typeof (metadata.body as { description: unknown }).description).toBe('string');
    const schema = (await http(`${t.server.url}/schema`)).body as Record<string, Record<string, unknown>>;
    expect(schema.action).toMatchObject({ type: 'object', required: ['action_str'], additionalProperties: false });
    expect(Object.keys(schema.action!['properties'] as object)).toEqual(['action_str', 'thought', 'metadata']);
    expect(Object.keys(schema.observation!['properties'] as object)).toEqual(
      expect.arrayContaining(['text', 'instruction', 'url', 'page_type', 'available_actions', 'source', 'last_action_error']),
    );
    expect(Object.keys(schema.state!['properties'] as object)).toEqual(
      expect.arrayContaining(['episode_id', 'step_count', 'task_id', 'mode', 'real_steps_used', 'real_steps_cap', 'cum_reward']),
    );
    const openapi = (await http(`${t.server.url}/openapi.json`)).body as { info: { version: string }; paths: Record<string, unknown> };
    // info.version is the OpenEnv HTTP API version (what `openenv validate` profiles), /metadata the environment's.
    expect(openapi.info.version).toBe('1.0.0');
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/reset', '/step', '/state', '/agentgym/step']));
    expect((await http(`${t.server.url}/mcp`, { body: {} })).body).toMatchObject({ jsonrpc: '2.0' });
  });

  it('plays a whole episode over WS /ws and logs every transition and the episode as the runner does', async () => {
    const client = await WsClient.connect(t.server.url);
    const reset = await client.reset({ task_id: 1500, episode_id: 'ep-lamp-1' });
    expect(reset).toEqual({
      type: 'observation',
      data: {
        observation: {
          text: searchPage(LAMP), instruction: LAMP, page_type: 'search', available_actions: { has_search_bar: true, clickables: ['search'] }, source: 'dream',
          last_action_error: null, truncated: false, episode_id: 'ep-lamp-1', session_id: expect.stringMatching(/^s\d+-[0-9a-f]+$/), step_count: 0, info: null,
        },
        reward: null,
        done: false,
      },
    });
    const results = await client.step('search[brass desk lamp]', 'the instruction names a brass desk lamp');
    expect(results.data.observation).toMatchObject({ text: resultsPage(LAMP), page_type: 'results', source: 'dream' });
    expect(results.data).toMatchObject({ reward: 0, done: false });
    expect((await client.step('click[b0abcdefgh]')).data.observation).toMatchObject({ text: itemPage(LAMP), page_type: 'item' });
    const bought = await client.step('click[buy now]');
    expect(bought.data).toMatchObject({ observation: { text: DONE_PAGE, page_type: 'done' }, reward: 1, done: true });
    const state = await client.state();
    expect(state).toMatchObject({ type: 'state', data: { episode_id: 'ep-lamp-1', step_count: 3, task_id: '1500', mode: 'dream', source: 'dream', done: true, cum_reward: 1, real_steps_used: 0, real_steps_cap: null } });
    await client.close();

    const transitions = (await t.runDir.readTransitions()).filter((l) => l.episode_id === 'ep-lamp-1');
    expect(transitions.map((l) => [l.step, l.action, l.reward, l.done])).toEqual([
      [0, 'search[brass desk lamp]', 0, false],
      [1, 'click[b0abcdefgh]', 0, false],
      [2, 'click[buy now]', 1, true],
    ]);
    expect(transitions[0]).toMatchObject({ run_id: t.runId, task_id: '1500', env: 'webshop', source: 'dream', thought: 'the instruction names a brass desk lamp' });
    expect(transitions[1]!.state.text).toBe(resultsPage(LAMP));
    const episode = (await t.runDir.readEpisodes()).find((e) => e.episode_id === 'ep-lamp-1');
    expect(episode).toMatchObject({ steps: 3, total_reward: 1, success: true, termination: 'done', source: 'dream' });
  });

  it('answers an invalid action as a normal observation with last_action_error, and a step after done without acting', async () => {
    const client = await WsClient.connect(t.server.url);
    await client.reset({ task_id: '1501' });
    const invalid = await client.step('click[nothing here]');
    expect(invalid.type).toBe('observation');
    expect(invalid.data).toMatchObject({ reward: 0, done: false });
    expect(invalid.data.observation!['last_action_error']).toMatch(/^INVALID_ACTION: /);
    await client.step('search[lamp]');
    await client.step('click[b0abcdefgh]');
    expect((await client.step('click[buy now]')).data.done).toBe(true);
    const calls = t.model.calls;
    const after = await client.step('click[buy now]');
    expect(after.data).toMatchObject({ reward: 0, done: true });
    expect(after.data.observation!['last_action_error']).toMatch(/episode is over/);
    expect(t.model.calls).toBe(calls);
    const state = await client.state();
    expect(state.data.step_count).toBe(4);
    await client.close();
  });

  it('validates messages strictly: wrong shapes are VALIDATION_ERROR, OpenEnv Action.metadata is accepted', async () => {
    const client = await WsClient.connect(t.server.url);
    await client.reset({ task_id: 1502 });
    const wrongField = await client.request({ type: 'step', data: { action: 'search[x]' } });
    expect(wrongField).toMatchObject({ type: 'error', data: { code: 'VALIDATION_ERROR' } });
    expect(wrongField.data['errors']).toEqual(expect.arrayContaining([expect.objectContaining({ loc: ['action_str'] })]));
    expect((await client.request({ type: 'step', data: { action_str: 3 } })).data.code).toBe('VALIDATION_ERROR');
    expect((await client.request({ type: 'step', data: { action_str: 'search[x]' }, extra: 1 })).data.code).toBe('VALIDATION_ERROR');
    expect((await client.request({ type: 'reset', data: { seed: -1 } })).data.code).toBe('VALIDATION_ERROR');
    expect((await client.request({ type: 'launch' })).data).toMatchObject({ code: 'UNKNOWN_TYPE', message: 'Unknown message type: launch' });
    expect((await client.request('not json')).data.code).toBe('INVALID_JSON');
    // The session survived every error reply.
    const ok = await client.request({ type: 'step', data: { action_str: 'search[lamp]', metadata: {} } });
    expect(ok.data.observation!['page_type']).toBe('results');
    await client.close();
  });

  it('picks the same task for the same seed, and replays a prefix of actions saying whether it reproduced the recorded states', async () => {
    const a = await WsClient.connect(t.server.url);
    const first = await a.reset({ seed: 7 });
    const again = await a.reset({ seed: 7 });
    expect(again.data.observation!['instruction']).toBe(first.data.observation!['instruction']);
    const replayed = await a.reset({ task_id: 1500, replay_actions: ['search[lamp]', 'click[b0abcdefgh]'], replay_states: [resultsPage(LAMP), itemPage(LAMP)] });
    expect(replayed.data.observation).toMatchObject({ page_type: 'item', replay: { actions: 2, reproduced: true } });
    expect(replayed.data.observation).toMatchObject({ step_count: 2 });
    const diverged = await a.reset({ task_id: 1500, replay_actions: ['search[lamp]', 'click[back to search]'], replay_states: [resultsPage(LAMP), itemPage(LAMP)] });
    expect(diverged.data.observation!['replay']).toEqual({ actions: 2, reproduced: false, first_mismatch: 1 });
    const unchecked = await a.reset({ task_id: 1500, replay_actions: ['search[lamp]'] });
    expect(unchecked.data.observation!['replay']).toEqual({ actions: 1, reproduced: null });
    await a.close();
  });

  it('serves multi-step episodes over HTTP sessions: /reset opens one, /step and /state take its id', async () => {
    const reset = await http(`${t.server.url}/reset`, { body: { task_id: 1501 } });
    expect(reset.status).toBe(200);
    const sessionId = (reset.body as { observation: { session_id: string } }).observation.session_id;
    expect(reset.headers.get('x-session-id')).toBe(sessionId);
    const step = await http(`${t.server.url}/step`, { body: { action: { action_str: 'search[floor lamp]' }, session_id: sessionId } });
    expect(step).toMatchObject({ status: 200, body: { reward: 0, done: false, observation: { page_type: 'results' } } });
    const byHeader = await http(`${t.server.url}/step`, { body: { action: { action_str: 'click[b0zyxwvuts]' } }, headers: { 'x-session-id': sessionId } });
    expect((byHeader.body as { observation: { page_type: string } }).observation.page_type).toBe('item');
    expect((await http(`${t.server.url}/state?session_id=${sessionId}`)).body).toMatchObject({ step_count: 2, task_id: '1501' });
    expect((await http(`${t.server.url}/state`)).body).toMatchObject({ episode_id: null, step_count: 0 });
    expect(await http(`${t.server.url}/close`, { body: { session_id: sessionId } })).toMatchObject({ status: 200, body: { closed: true } });
    const episode = (await t.runDir.readEpisodes()).find((e) => e.task_id === '1501' && e.termination === 'closed' && e.steps === 2);
    expect(episode).toBeDefined();
  });
});
