import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectModel, openEnvModels } from './helpers/openenv-models.js';
import { http, startDreamServer, WsClient, type TestServer } from './helpers/server-client.js';
import { resultsPage, searchPage } from './helpers/server-dream.js';

const LAMP = 'find a brass desk lamp under 40 dollars';
type Body = { observation: Record<string, unknown>; reward: number | null; done: boolean };

describe('environment server: OpenEnv conformance (bodies against its models, nulls, explicit fields, truncation)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startDreamServer();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('answers /health, /metadata, /schema and /state with bodies that fit OpenEnv\'s response models', async () => {
    expectModel(openEnvModels.healthResponse, (await http(`${t.server.url}/health`)).body, 'GET /health');
    const metadata = expectModel(openEnvModels.environmentMetadata, (await http(`${t.server.url}/metadata`)).body, 'GET /metadata');
    expect(metadata.name).toBe('dreambridge-webshop');
    const schemas = expectModel(openEnvModels.schemaResponse, (await http(`${t.server.url}/schema`)).body, 'GET /schema');
    // Every field a trainer must see is declared in the observation schema, as required.
    expect(schemas.observation).toMatchObject({ required: expect.arrayContaining(['truncated', 'episode_id', 'session_id', 'source', 'last_action_error', 'step_count']) });
    // The Optional fields of OpenEnv's types take null in our schemas too.
    expect((schemas.action['properties'] as Record<string, unknown>)['thought']).toMatchObject({ anyOf: expect.arrayContaining([{ type: 'null' }]) });
    expectModel(openEnvModels.state, (await http(`${t.server.url}/state`)).body, 'GET /state without a session');
    const openapi = (await http(`${t.server.url}/openapi.json`)).body as { info: { version: string }; components: { schemas: Record<string, { additionalProperties?: boolean; required?: string[] }> } };
    expect(openapi.info.version).toMatch(/^1\./);
    expect(openapi.components.schemas['StepResponse']).toMatchObject({ additionalProperties: false, required: ['observation', 'reward', 'done'] });
  });

  it('takes null in every Optional field over HTTP (reset, step, state) and answers exactly {observation, reward, done}', async () => {
    const nulls = { seed: null, episode_id: null, task_id: null, mode: null, instruction: null, replay_actions: null, replay_states: null, session_id: null };
    const reset = await http(`${t.server.url}/reset`, { body: nulls });
    expect(reset.status).toBe(200);
    const first = expectModel(openEnvModels.resetResponse, reset.body, 'POST /reset') as Body;
    expect(Object.keys(reset.body as object).sort()).toEqual(['done', 'observation', 'reward']);
    expect(first).toMatchObject({ reward: null, done: false, observation: { page_type: 'search', source: 'dream', truncated: false, step_count: 0, last_action_error: null, info: null } });
    const sessionId = first.observation['session_id'] as string;
    expect(sessionId).toBe(reset.headers.get('x-session-id'));
    expect(first.observation['episode_id']).toEqual(expect.any(String));

    // A typed OpenEnv client's model_dump(): Action.metadata {} and every unset Optional as null.
    const step = await http(`${t.server.url}/step`, { body: { action: { action_str: 'search[brass desk lamp]', thought: null, metadata: null }, timeout_s: null, request_id: null, session_id: sessionId } });
    expect(step.status).toBe(200);
    const next = expectModel(openEnvModels.stepResponse, step.body, 'POST /step') as Body;
    expect(next).toMatchObject({ reward: 0, done: false, observation: { page_type: 'results', session_id: sessionId, episode_id: first.observation['episode_id'], step_count: 1, truncated: false, last_action_error: null } });
    expect(next.observation['info']).toMatchObject({ latency_ms: expect.any(Number) });

    const invalid = expectModel(openEnvModels.stepResponse, (await http(`${t.server.url}/step`, { body: { action: { action_str: 'click[no such thing]', metadata: {} }, session_id: sessionId } })).body, 'POST /step (invalid action)') as Body;
    expect(invalid.observation['last_action_error']).toMatch(/^INVALID_ACTION: /);
    const state = expectModel(openEnvModels.state, (await http(`${t.server.url}/state?session_id=${sessionId}`)).body, 'GET /state');
    expect(state).toMatchObject({ episode_id: first.observation['episode_id'], step_count: 2 });
    await http(`${t.server.url}/close`, { body: { session_id: sessionId } });
  });

  it('takes null in every Optional field over WS /ws and puts the ids in the observation', async () => {
    const client = await WsClient.connect(t.server.url);
    const reset = await client.request({ type: 'reset', data: { seed: null, episode_id: null, task_id: 1500, mode: null, instruction: null, replay_actions: null, replay_states: null } });
    expectModel(openEnvModels.wsObservationResponse, reset, 'WS reset reply');
    expectModel(openEnvModels.resetResponse, reset.data, 'WS reset data');
    expect(reset.data.observation).toMatchObject({ text: searchPage(LAMP), session_id: expect.stringMatching(/^s\d+-/), truncated: false });
    const step = await client.request({ type: 'step', data: { action_str: 'search[lamp]', thought: null, metadata: null } });
    expect(expectModel(openEnvModels.stepResponse, step.data, 'WS step data')).toMatchObject({ observation: { text: resultsPage(LAMP), step_count: 1, session_id: reset.data.observation!['session_id'] } });
    expectModel(openEnvModels.wsStateResponse, await client.state(), 'WS state reply');
    expectModel(openEnvModels.wsErrorResponse, await client.request({ type: 'launch' }), 'WS error reply');
    await client.close();
  });

  it('shows truncation: a WebShop episode reaching its 15 steps answers truncated=true, done=true, reward 0, recorded as max_steps', async () => {
    const client = await WsClient.connect(t.server.url);
    const reset = await client.reset({ task_id: 1501, episode_id: 'ep-truncated' });
    expect(reset.data.observation).toMatchObject({ truncated: false });
    let last = reset;
    for (let i = 0; i < 15; i += 1) {
      last = await client.step(i % 2 === 0 ? 'search[floor lamp]' : 'click[back to search]');
      if (i < 14) expect(last.data, `step ${i + 1}`).toMatchObject({ done: false, observation: { truncated: false } });
    }
    expect(last.data).toMatchObject({ done: true, reward: 0, observation: { truncated: true, step_count: 15, episode_id: 'ep-truncated' } });
    await client.close();
    const episode = (await t.runDir.readEpisodes()).find((e) => e.episode_id === 'ep-truncated');
    expect(episode).toMatchObject({ steps: 15, success: false, termination: 'max_steps' });
  });

  it('gives HTTP errors OpenEnv\'s shape (detail, plus our code) and keeps nulls out of required fields', async () => {
    const bad = await http(`${t.server.url}/step`, { body: { action: { action_str: null } } });
    expect(bad).toMatchObject({ status: 422, body: { code: 'VALIDATION_ERROR', detail: expect.arrayContaining([expect.objectContaining({ loc: ['action_str'] })]) } });
  });
});
