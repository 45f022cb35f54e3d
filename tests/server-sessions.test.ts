import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { dreamServersPerTest } from './helpers/dream-servers-per-test.js';
import { http, WsClient } from './helpers/server-client.js';
import { createDreamFactory, createToyWebShopModel, DREAM_TASKS, resultsPage, searchPage } from './helpers/server-dream.js';
import { parsePrometheusText } from './helpers/prometheus-text.js';

const start = dreamServersPerTest();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const waitFor = async (check: () => boolean, timeoutMs = 5_000): Promise<void> => {
  const end = Date.now() + timeoutMs;
  while (!check() && Date.now() < end) await sleep(20);
};

/** AgentGym's client: `requests.post(base + "/create")` sends no body at all. */
const createWithoutBody = async (base: string): Promise<{ status: number; body: unknown }> => {
  const response = await fetch(`${base}/create`, { method: 'POST' });
  return { status: response.status, body: await response.json() };
};

/** A pino logger whose lines the test reads. */
const capturedLogger = () => {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
};

const metricsOf = async (url: string, headers: Record<string, string> = {}): Promise<Map<string, number>> => {
  const response = await fetch(`${url}/metrics`, { headers });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await response.text());
};

describe('environment server: reaping frees resources, never ids', () => {
  it('an AgentGym env reaped while idle keeps its id: the next reset on it reopens it', async () => {
    const t = await start({ idleTimeoutMs: 200, agentGymMode: 'dream' });
    const base = `${t.server.url}/agentgym`;
    const created = await createWithoutBody(base);
    expect(created.status).toBe(200);
    const idx = created.body as number;
    const first = await http(`${base}/reset`, { body: { env_idx: idx, session_id: 1500 } });
    expect(first).toMatchObject({ status: 200, body: [searchPage(DREAM_TASKS[0]!.instruction!), null] });
    // An epoch of training elsewhere: the env is idle far past the timeout.
    await waitFor(() => t.server.manager.reapedCount === 1);
    await sleep(100);
    expect(t.server.manager.reapedCount).toBe(1);
    expect(t.server.manager.size).toBe(0);
    expect((await http(`${base}/list_envs`)).body).toEqual([idx]);
    // Evaluation after the epoch: reset and step as before, on the same id.
    const again = await http(`${base}/reset`, { body: { env_idx: idx, session_id: 1501 } });
    expect(again).toMatchObject({ status: 200, body: [searchPage(DREAM_TASKS[1]!.instruction!), null] });
    expect(await http(`${base}/step`, { body: { env_idx: idx, action: 'search[lamp]' } })).toMatchObject({ status: 200, body: { state: resultsPage(DREAM_TASKS[1]!.instruction!), done: false } });
    expect(t.server.manager.size).toBe(1);
    const episodes = await t.runDir.readEpisodes();
    expect(episodes.filter((e) => e.task_id === '1500')).toMatchObject([{ termination: 'closed', steps: 0 }]);
    // Closing is for good.
    expect((await http(`${base}/close`, { body: { env_idx: idx } })).body).toEqual({ closed: true });
    expect(await http(`${base}/reset`, { body: { env_idx: idx, session_id: 1500 } })).toMatchObject({ status: 409, body: { code: 'SESSION_CLOSED' } });
  });

  it('a WS session reaped while idle keeps its session id and reopens on reset', async () => {
    const t = await start({ idleTimeoutMs: 200 });
    const ws = await WsClient.connect(t.server.url);
    await ws.reset({ task_id: 1500 });
    const key = (await ws.state()).data['session_id'] as string;
    expect(key).toMatch(/^s\d+-/);
    await waitFor(() => t.server.manager.reapedCount === 1);
    await sleep(100);
    expect(t.server.manager.size).toBe(0);
    const reply = await ws.reset({ task_id: 1501 });
    expect(reply.type).toBe('observation');
    expect(reply.data.observation!['text']).toBe(searchPage(DREAM_TASKS[1]!.instruction!));
    expect((await ws.state()).data['session_id']).toBe(key);
    expect((await ws.step('search[lamp]')).data.observation!['text']).toBe(resultsPage(DREAM_TASKS[1]!.instruction!));
    await ws.close();
  });

  it('keeps at most maxSessionRecords ids: the least recently used released one is forgotten', async () => {
    const t = await start({ idleTimeoutMs: 100, maxSessionRecords: 2 });
    const ids: number[] = [];
    for (let i = 0; i < 2; i += 1) ids.push((await http(`${t.server.url}/agentgym/create`, { body: { mode: 'dream' } })).body as number);
    await waitFor(() => t.server.manager.reapedCount === 2);
    // Touch the first: the second is now the least recently used.
    expect((await http(`${t.server.url}/agentgym/reset`, { body: { env_idx: ids[0], session_id: 1500 } })).status).toBe(200);
    ids.push((await http(`${t.server.url}/agentgym/create`, { body: { mode: 'dream' } })).body as number);
    expect(t.server.manager.recordCount).toBe(2);
    expect(await http(`${t.server.url}/agentgym/reset`, { body: { env_idx: ids[1], session_id: 1500 } })).toMatchObject({ status: 409, body: { code: 'SESSION_CLOSED', message: expect.stringMatching(/forgotten/) } });
    expect((await http(`${t.server.url}/agentgym/reset`, { body: { env_idx: ids[0], session_id: 1501 } })).status).toBe(200);
  });
});

describe('environment server: capacity limits', () => {
  it('--max-sessions: CAPACITY_REACHED names the limit and its value; released sessions free their slot', async () => {
    const t = await start({ maxSessions: 2, idleTimeoutMs: 0 });
    const a = await WsClient.connect(t.server.url);
    const b = await WsClient.connect(t.server.url);
    expect((await a.reset({ task_id: 1500 })).type).toBe('observation');
    expect((await b.reset({ task_id: 1501 })).type).toBe('observation');
    const full = await http(`${t.server.url}/agentgym/create`, { method: 'POST' });
    expect(full).toMatchObject({ status: 503, body: { code: 'CAPACITY_REACHED', message: expect.stringContaining('--max-sessions 2'), details: { limit: 'max_sessions', max_sessions: 2 } } });
    // A stateless HTTP reset's session is released when its episode ends: it holds no slot after.
    await a.close();
    const reset = await http(`${t.server.url}/reset`, { body: { task_id: 1502 } });
    const session = (reset.body as { observation: { session_id: string } }).observation.session_id;
    for (const action of ['search[lamp]', 'click[b0abcdefgh]', 'click[buy now]']) {
      expect((await http(`${t.server.url}/step`, { body: { action: { action_str: action }, session_id: session } })).status).toBe(200);
    }
    await waitFor(() => t.server.manager.size === 1);
    expect(t.server.manager.size).toBe(1);
    expect((await http(`${t.server.url}/state?session_id=${session}`)).body).toMatchObject({ session_id: session, done: true, step_count: 3 });
    // A step after the end says the env was released and that a reset goes on.
    expect(await http(`${t.server.url}/step`, { body: { action: { action_str: 'click[buy now]' }, session_id: session } })).toMatchObject({
      status: 409,
      body: { error_code: 'ENV_NOT_RESET', message: expect.stringMatching(/released \(its episode ended\).*reset to go on/) },
    });
    expect(t.server.manager.size).toBe(1);
    expect((await http(`${t.server.url}/agentgym/create`, { body: { mode: 'dream' } })).status).toBe(200);
    // Its id still works: a reset reopens it (when a slot is free).
    expect(await http(`${t.server.url}/reset`, { body: { session_id: session, task_id: 1500 } })).toMatchObject({ status: 503, body: { code: 'CAPACITY_REACHED' } });
    await b.close();
    expect(await http(`${t.server.url}/reset`, { body: { session_id: session, task_id: 1500 } })).toMatchObject({ status: 200, body: { done: false } });
    const metrics = await metricsOf(t.server.url);
    expect(metrics.get('dreambridge_sessions_released_total')).toBe(1);
    expect(metrics.get('dreambridge_max_sessions')).toBe(2);
  });
});

describe('environment server: stateless HTTP sessions', () => {
  it('a reset sent while the last step is still running keeps its new episode (the release after the end is skipped)', async () => {
    const t = await start({ modelDelayMs: 150 });
    const reset = await http(`${t.server.url}/reset`, { body: { task_id: 1500 } });
    const session = (reset.body as { observation: { session_id: string } }).observation.session_id;
    const step = (action: string) => http(`${t.server.url}/step`, { body: { action: { action_str: action }, session_id: session } });
    await step('search[lamp]');
    await step('click[b0abcdefgh]');
    const last = step('click[buy now]');
    await sleep(30);
    const next = http(`${t.server.url}/reset`, { body: { task_id: 1501, session_id: session } });
    expect((await last).body).toMatchObject({ done: true, reward: 1 });
    expect((await next).status).toBe(200);
    expect(await step('search[lamp]')).toMatchObject({ status: 200, body: { observation: { text: resultsPage(DREAM_TASKS[1]!.instruction!) } } });
    expect(t.server.manager.size).toBe(1);
  });
});

describe('environment server: actions the site cannot take are steps, not errors', () => {
  it('a 20,000-character action is an ordinary step with last_action_error over WS, HTTP and AgentGym', async () => {
    const t = await start();
    const long = `Thought: ${'I should look for a lamp. '.repeat(800)}`.slice(0, 20_000);
    expect(long).toHaveLength(20_000);
    const ws = await WsClient.connect(t.server.url);
    const reset = await ws.reset({ task_id: 1500 });
    const reply = await ws.step(long);
    expect(reply.type).toBe('observation');
    expect(reply.data).toMatchObject({ reward: 0, done: false });
    expect(reply.data.observation).toMatchObject({ text: reset.data.observation!['text'], last_action_error: expect.stringMatching(/^INVALID_ACTION: the action is 20000 characters long/) });
    expect((await ws.state()).data['step_count']).toBe(1);
    // The episode goes on.
    expect((await ws.step('search[lamp]')).data.observation!['text']).toBe(resultsPage(DREAM_TASKS[0]!.instruction!));
    await ws.close();

    const httpReset = await http(`${t.server.url}/reset`, { body: { task_id: 1501 } });
    const session = (httpReset.body as { observation: { session_id: string } }).observation.session_id;
    expect(await http(`${t.server.url}/step`, { body: { action: { action_str: long }, session_id: session } })).toMatchObject({
      status: 200,
      body: { reward: 0, done: false, observation: { last_action_error: expect.stringMatching(/^INVALID_ACTION/) } },
    });

    const idx = (await http(`${t.server.url}/agentgym/create`, { body: { mode: 'dream' } })).body as number;
    await http(`${t.server.url}/agentgym/reset`, { body: { env_idx: idx, session_id: 1502 } });
    expect(await http(`${t.server.url}/agentgym/step`, { body: { env_idx: idx, action: long } })).toMatchObject({
      status: 200,
      body: { state: searchPage(DREAM_TASKS[2]!.instruction!), reward: 0, done: false, info: null },
    });
    const transitions = await t.runDir.readTransitions();
    expect(transitions.filter((x) => x.action === long)).toHaveLength(3);
  });

  it('over-long actions count toward truncation at the site\'s max steps', async () => {
    const t = await start();
    const ws = await WsClient.connect(t.server.url);
    await ws.reset({ task_id: 1500 });
    let last = await ws.step('x'.repeat(10_000));
    for (let i = 1; i < 15; i += 1) last = await ws.step('x'.repeat(10_000));
    expect(last.data).toMatchObject({ done: true });
    expect((await ws.state()).data).toMatchObject({ step_count: 15, done: true });
    const episodes = await t.runDir.readEpisodes();
    expect(episodes[0]).toMatchObject({ termination: 'max_steps', steps: 15 });
    await ws.close();
  });
});

describe('environment server: the token in the path', () => {
  const TOKEN = 'tok-3f9a/+x';
  const path = `/t/${encodeURIComponent(TOKEN)}`;

  it('serves every HTTP route under /t/<token> beside the bearer header; a wrong or missing token is 401', async () => {
    const t = await start({ token: TOKEN });
    const base = `${t.server.url}${path}`;
    expect(await http(`${base}/health`)).toMatchObject({ status: 200, body: { status: 'healthy' } });
    expect((await http(`${base}/metadata`)).status).toBe(200);
    expect((await http(`${base}/schema`)).status).toBe(200);
    expect((await http(`${base}/openapi.json`)).status).toBe(200);
    const reset = await http(`${base}/reset`, { body: { task_id: 1500 } });
    expect(reset.status).toBe(200);
    const session = (reset.body as { observation: { session_id: string } }).observation.session_id;
    expect((await http(`${base}/step`, { body: { action: { action_str: 'search[lamp]' }, session_id: session } })).status).toBe(200);
    expect((await http(`${base}/state?session_id=${session}`)).body).toMatchObject({ step_count: 1 });
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
    // AgentGym's client appends its routes to the base URL it is given.
    const gym = `${base}/agentgym`;
    const idx = (await createWithoutBody(gym)).body as number;
    expect((await http(`${gym}/reset`, { body: { env_idx: idx, session_id: 1501 } })).status).toBe(200);
    expect((await http(`${gym}/observation?env_idx=${idx}`)).status).toBe(200);
    // The bearer header still works; the path and the header are alternatives.
    expect((await http(`${t.server.url}/metadata`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await http(`${t.server.url}/metadata`)).status).toBe(401);
    expect((await http(`${t.server.url}/reset`, { body: {} })).status).toBe(401);
    const wrong = await http(`${t.server.url}/t/wrong-token/reset`, { body: {} });
    expect(wrong).toMatchObject({ status: 401, body: { code: 'UNAUTHORIZED' } });
    expect(JSON.stringify(wrong.body)).not.toContain('wrong-token');
    expect((await http(`${t.server.url}/t/wrong-token/health`)).status).toBe(401);
    expect((await http(`${t.server.url}/t/${TOKEN.slice(0, -1)}/metadata`)).status).toBe(401);
  });

  it('serves WS /ws under /t/<token>: OpenEnv clients append /ws to the base URL', async () => {
    const t = await start({ token: TOKEN });
    const ws = await WsClient.connect(`${t.server.url}${path}`);
    expect((await ws.reset({ task_id: 1500 })).type).toBe('observation');
    expect((await ws.step('search[lamp]')).data.observation!['text']).toBe(resultsPage(DREAM_TASKS[0]!.instruction!));
    await ws.close();
    await expect(WsClient.connect(`${t.server.url}/t/wrong-token`)).rejects.toThrow(/upgrade refused: 401/);
    await expect(WsClient.connect(t.server.url)).rejects.toThrow(/upgrade refused: 401/);
    // With the right token a wrong path is still a 404.
    const status = await new Promise<number>((resolve) => {
      const socket = new WebSocket(`${t.server.url.replace(/^http/, 'ws')}${path}/other`);
      socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.once('error', () => undefined);
    });
    expect(status).toBe(404);
  });
});

describe('environment server: dream tasks and AgentGym mode', () => {
  it('a dream reset takes any task the site knows (its instruction), not only the buffer\'s', async () => {
    const siteGoals = new Map([['0', 'find me a red lamp under 20 dollars'], ['7', 'find me a blue chair']]);
    const t = await start({
      dream: {
        factory: createDreamFactory(createToyWebShopModel()),
        tasks: () => DREAM_TASKS,
        taskById: (id) => (siteGoals.has(id) ? { task_id: id, env: 'webshop', instruction: siteGoals.get(id)! } : undefined),
      },
    });
    const ws = await WsClient.connect(t.server.url);
    const reply = await ws.reset({ task_id: 7 });
    expect(reply.data.observation).toMatchObject({ text: searchPage('find me a blue chair'), instruction: 'find me a blue chair' });
    expect((await ws.step('search[blue chair]')).data.observation!['text']).toBe(resultsPage('find me a blue chair'));
    const unknown = await ws.reset({ task_id: 99_999 });
    expect(unknown.data).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringMatching(/no task 99999 for a dream.*the site has no such task/) });
    await ws.close();
    const idx = (await createWithoutBody(`${t.server.url}/agentgym`)).body as number;
    expect((await http(`${t.server.url}/agentgym/reset`, { body: { env_idx: idx, session_id: 0 } })).body).toEqual([searchPage('find me a red lamp under 20 dollars'), null]);
  });

  it('POST /agentgym/create without a body follows agentGymMode; a body mode still wins', async () => {
    const t = await start({ agentGymMode: 'dream' });
    const idx = (await createWithoutBody(`${t.server.url}/agentgym`)).body as number;
    await http(`${t.server.url}/agentgym/reset`, { body: { env_idx: idx, session_id: 1500 } });
    expect(await http(`${t.server.url}/agentgym/step`, { body: { env_idx: idx, action: 'search[lamp]' } })).toMatchObject({ status: 200, body: { state: resultsPage(DREAM_TASKS[0]!.instruction!) } });
    await expect(start({ agentGymMode: 'real' })).rejects.toThrow(/no real environments/);
  });
});

describe('environment server: /metrics and log lines', () => {
  it('answers Prometheus metrics that add up after a known sequence', async () => {
    const t = await start({ idleTimeoutMs: 1_000, token: 'm-token' });
    const auth = { authorization: 'Bearer m-token' };
    expect((await fetch(`${t.server.url}/metrics`)).status).toBe(401);
    const a = await WsClient.connect(t.server.url, { headers: auth });
    const b = await WsClient.connect(t.server.url, { headers: auth });
    await a.reset({ task_id: 1500 });
    await b.reset({ task_id: 1501 });
    for (const client of [a, b]) {
      await client.step('search[lamp]');
      await client.step('click[b0abcdefgh]');
    }
    let m = await metricsOf(t.server.url, auth);
    expect(m.get('dreambridge_sessions{mode="dream"}')).toBe(2);
    expect(m.get('dreambridge_sessions{mode="real"}')).toBe(0);
    expect(m.get('dreambridge_step_seconds_count{source="dream"}')).toBe(4);
    expect(m.get('dreambridge_reset_seconds_count{source="dream"}')).toBe(2);
    expect(m.get('dreambridge_step_seconds_bucket{le="+Inf",source="dream"}')).toBe(4);
    expect(m.get('dreambridge_sessions_opened_total')).toBe(2);
    expect(m.get('dreambridge_real_budget_used')).toBe(0);
    expect(m.get('dreambridge_real_budget_cap')).toBe(-1);
    expect(m.get('dreambridge_browser_contexts_open')).toBe(0);
    await a.close();
    // b goes idle: the reaper releases it.
    await waitFor(() => t.server.manager.reapedCount === 1);
    m = await metricsOf(t.server.url, auth);
    expect(m.get('dreambridge_sessions_closed_total')).toBe(1);
    expect(m.get('dreambridge_sessions_reaped_total')).toBe(1);
    expect(m.get('dreambridge_sessions{mode="dream"}')).toBe(0);
    expect(m.get('dreambridge_session_records')).toBe(1);
    await b.close();
  });

  it('logs open, close, disconnect and reap at info with the reason', async () => {
    const { logger, lines } = capturedLogger();
    const t = await start({ idleTimeoutMs: 200, logger });
    const a = await WsClient.connect(t.server.url);
    await a.reset({ task_id: 1500 });
    await a.close();
    const b = await WsClient.connect(t.server.url);
    await b.reset({ task_id: 1501 });
    b.socket.terminate();
    const idx = (await http(`${t.server.url}/agentgym/create`, { body: {} })).body as number;
    await waitFor(() => t.server.manager.reapedCount === 1);
    await sleep(50);
    const info = lines.filter((l) => l['level'] === 30);
    const about = (msg: string) => info.filter((l) => l['msg'] === msg);
    expect(about('session opened')).toHaveLength(3);
    expect(about('session closed').map((l) => l['reason'])).toEqual(['closed by the client', 'the connection closed']);
    expect(about('client disconnected without a close message')).toHaveLength(1);
    expect(about('idle session reaped')).toMatchObject([{ session: idx, kind: 'agentgym', reason: 'idle for more than 0.2 s' }]);
  });
});
