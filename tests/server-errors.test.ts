import { request as httpRequest } from 'node:http';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { dreamServersPerTest } from './helpers/dream-servers-per-test.js';
import { http, startDreamServer, WsClient } from './helpers/server-client.js';

const start = dreamServersPerTest();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Upgrade status of a WS connection attempt (101 when accepted). */
const upgradeStatus = (url: string, headers: Record<string, string> = {}, path = '/ws'): Promise<number> =>
  new Promise((resolve, reject) => {
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}${path}`, { headers });
    socket.once('open', () => {
      socket.terminate();
      resolve(101);
    });
    socket.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    socket.once('error', (error) => (error.message.includes('Unexpected server response') ? undefined : reject(error)));
  });

describe('environment server: capacity, reaper, close', () => {
  it('refuses past max sessions with CAPACITY_REACHED (503 over HTTP), never waits, and frees the slot on close', async () => {
    const t = await start({ maxSessions: 2 });
    const a = await WsClient.connect(t.server.url);
    const b = await WsClient.connect(t.server.url);
    const c = await WsClient.connect(t.server.url);
    expect((await a.reset({ task_id: 1500 })).type).toBe('observation');
    expect((await b.reset({ task_id: 1501 })).type).toBe('observation');
    const started = Date.now();
    const full = await c.reset({ task_id: 1502 });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(full.data).toMatchObject({ code: 'CAPACITY_REACHED', details: { active_sessions: 2, max_sessions: 2 } });
    const httpFull = await http(`${t.server.url}/reset`, { body: {} });
    expect(httpFull).toMatchObject({ status: 503, body: { code: 'CAPACITY_REACHED' } });
    expect(httpFull.headers.get('retry-after')).toBe('1');
    expect((await http(`${t.server.url}/agentgym/create`, { body: {} })).status).toBe(503);
    await a.close();
    expect((await c.reset({ task_id: 1502 })).type).toBe('observation');
    expect(t.server.manager.size).toBe(2);
    await b.close();
    await c.close();
    expect(t.server.manager.size).toBe(0);
  });

  it('reaps idle sessions (termination "closed"; ids kept), answers ENV_NOT_RESET after, and never reaps one with a step in flight', async () => {
    const t = await start({ idleTimeoutMs: 250, modelDelayMs: 700 });
    const ws = await WsClient.connect(t.server.url);
    await ws.reset({ task_id: 1500, episode_id: 'idle-ws' });
    const gym = (await http(`${t.server.url}/agentgym/create`, { body: {} })).body as number;
    await http(`${t.server.url}/agentgym/reset`, { body: { env_idx: gym, session_id: 1501 } });
    const busy = await WsClient.connect(t.server.url);
    await busy.reset({ task_id: 1502, episode_id: 'busy' });
    // 700 ms model step, far past the 250 ms idle timeout: still answered.
    const slow = await busy.step('search[lamp]');
    expect(slow.data.observation!['page_type']).toBe('results');
    await sleep(700);
    expect(t.server.manager.reapedCount).toBeGreaterThanOrEqual(2);
    // Reaping frees the env, never the id: a step says why and that a reset goes on.
    expect((await ws.step('search[lamp]')).data).toMatchObject({ code: 'EXECUTION_ERROR', error_code: 'ENV_NOT_RESET', message: expect.stringMatching(/released \(idle for more than 0\.3 s\).*reset to go on/) });
    expect((await ws.state()).data).toMatchObject({ episode_id: 'idle-ws', step_count: 0 });
    expect(await http(`${t.server.url}/agentgym/step`, { body: { env_idx: gym, action: 'search[lamp]' } })).toMatchObject({ status: 409, body: { error_code: 'ENV_NOT_RESET' } });
    // The connection is still usable: a reset reopens the same session.
    expect((await ws.reset({ task_id: 1500 })).type).toBe('observation');
    const episodes = await t.runDir.readEpisodes();
    expect(episodes.find((e) => e.episode_id === 'idle-ws')).toMatchObject({ termination: 'closed', steps: 0 });
    expect(episodes.find((e) => e.episode_id === 'busy')).toMatchObject({ termination: 'closed', steps: 1 });
    await ws.close();
    await busy.close();
  });

  it('closing a session aborts the step in flight at once and records the episode', async () => {
    const t = await start({ modelDelayMs: 10_000 });
    const client = await WsClient.connect(t.server.url);
    await client.reset({ task_id: 1500, episode_id: 'in-flight' });
    void client.step('search[lamp]');
    await sleep(50);
    const started = Date.now();
    await client.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    await t.runDir.readEpisodes();
    await sleep(50);
    expect((await t.runDir.readEpisodes()).find((e) => e.episode_id === 'in-flight')).toMatchObject({ termination: 'closed', steps: 0 });
    expect(await t.runDir.readTransitions()).toHaveLength(0);
  });
});

describe('environment server: HTTP error mapping and limits', () => {
  it('maps failures to status codes: 400 bad JSON, 404 unknown session, 409 not reset / closed, 413 too large, 422 schema', async () => {
    const t = await start();
    const base = t.server.url;
    expect(await http(`${base}/reset`, { raw: '{"task_id": ' })).toMatchObject({ status: 400, body: { code: 'INVALID_JSON' } });
    expect(await http(`${base}/step`, { body: { action: { action_str: 'search[x]' } } })).toMatchObject({ status: 409, body: { error_code: 'ENV_NOT_RESET' } });
    expect(await http(`${base}/step`, { body: { action: { action_str: 'search[x]' }, session_id: 's999-abcdef' } })).toMatchObject({ status: 404, body: { code: 'SESSION_NOT_FOUND' } });
    const reset = await http(`${base}/reset`, { body: { task_id: 1500 } });
    const sessionId = (reset.body as { observation: { session_id: string } }).observation.session_id;
    const bad = await http(`${base}/step`, { body: { action: { action_str: 'search[x]', oops: true }, session_id: sessionId } });
    expect(bad).toMatchObject({ status: 422, body: { code: 'VALIDATION_ERROR' } });
    expect((bad.body as { detail: unknown[] }).detail[0]).toMatchObject({ type: 'unrecognized_keys' });
    expect(await http(`${base}/step`, { body: { action: 'search[x]', session_id: sessionId } })).toMatchObject({ status: 422 });
    expect(await http(`${base}/reset`, { body: { task_id: 'no-such-dream-task' } })).toMatchObject({ status: 422, body: { code: 'VALIDATION_ERROR' } });
    expect(await http(`${base}/reset`, { raw: JSON.stringify({ instruction: 'x'.repeat(300_000) }) })).toMatchObject({ status: 413, body: { code: 'VALIDATION_ERROR' } });
    await http(`${base}/close`, { body: { session_id: sessionId } });
    expect(await http(`${base}/step`, { body: { action: { action_str: 'search[x]' }, session_id: sessionId } })).toMatchObject({ status: 409, body: { code: 'SESSION_CLOSED' } });
    expect(t.server.manager.size).toBe(0);
  });

  it('answers an oversized WS message with VALIDATION_ERROR and keeps the session; a frame past the hard limit closes with 1009', async () => {
    const t = await start({ maxMessageBytes: 64 * 1024, maxFrameBytes: 512 * 1024 });
    const client = await WsClient.connect(t.server.url);
    await client.reset({ task_id: 1500 });
    const big = await client.request({ type: 'step', data: { action_str: 'x'.repeat(100_000) } });
    expect(big.data).toMatchObject({ code: 'VALIDATION_ERROR' });
    expect(big.data.message).toMatch(/larger than the 65536-byte limit/);
    expect((await client.step('search[lamp]')).data.observation!['page_type']).toBe('results');
    client.socket.send('x'.repeat(600_000));
    expect((await client.closed).code).toBe(1009);
  });
});

describe('environment server: security', () => {
  it('refuses a non-loopback bind without a token unless insecure', async () => {
    await expect(startDreamServer({ host: '0.0.0.0' })).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/--token/) });
  });

  it('requires the bearer token on HTTP and WS (not on /health), and never logs it', async () => {
    const token = 'tok-5ecret-value-123';
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) }));
    const t = await start({ token, logger });
    const base = t.server.url;
    expect((await http(`${base}/health`)).status).toBe(200);
    expect(await http(`${base}/schema`)).toMatchObject({ status: 401, body: { code: 'UNAUTHORIZED' } });
    expect((await http(`${base}/schema`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await http(`${base}/schema`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await http(`${base}/agentgym/create`, { body: {} })).status).toBe(401);
    expect(await upgradeStatus(base)).toBe(401);
    expect(await upgradeStatus(base, { authorization: `Bearer ${token}` })).toBe(101);
    const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/ws?access_token=${token}`);
    await new Promise((resolve, reject) => (socket.once('open', resolve), socket.once('error', reject)));
    socket.send(JSON.stringify({ type: 'step', data: { action_str: 'x' } }));
    await new Promise((resolve) => socket.once('message', resolve));
    socket.terminate();
    await http(`${base}/step?access_token=${token}`, { body: { action: { action_str: 'x' }, session_id: 's1-00' }, headers: { authorization: `Bearer ${token}` } });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain(token);
  });

  it('checks Origin on WS upgrades and HTTP calls (clients without one pass), and Host on a loopback bind', async () => {
    const t = await start({ allowOrigins: ['http://localhost:8888'] });
    const base = t.server.url;
    expect(await upgradeStatus(base)).toBe(101);
    expect(await upgradeStatus(base, { origin: 'http://evil.example' })).toBe(403);
    expect(await upgradeStatus(base, { origin: 'http://localhost:8888' })).toBe(101);
    expect(await upgradeStatus(base, {}, '/other')).toBe(404);
    expect((await http(`${base}/reset`, { body: {}, headers: { origin: 'http://evil.example' } })).status).toBe(403);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${base}/schema`, { headers: { host: 'rebound.evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });
});
