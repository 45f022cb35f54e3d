import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectModel, openEnvModels } from './helpers/openenv-models.js';
import { http, startDreamServer, type TestServer } from './helpers/server-client.js';
import { resultsPage } from './helpers/server-dream.js';

type Rpc = { jsonrpc: '2.0'; id: string | number | null; result?: Record<string, unknown>; error?: { code: number; message: string; data?: Record<string, unknown> } };

describe('environment server: POST /mcp (MCP over JSON-RPC 2.0)', () => {
  let t: TestServer;
  let next = 0;
  /** One JSON-RPC call as an MCP client makes it: every answer is HTTP 200 with a JSON-RPC body. */
  const rpc = async (method: string, params?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Rpc> => {
    next += 1;
    const reply = await http(`${t.server.url}/mcp`, { body: { jsonrpc: '2.0', id: next, method, ...(params ? { params } : {}) }, headers });
    expect(reply.status).toBe(200);
    const body = expectModel(openEnvModels.jsonRpcResponse, reply.body, `${method} reply`) as Rpc;
    expect(body.id).toBe(next);
    return body;
  };
  const raw = async (text: string) => {
    const reply = await http(`${t.server.url}/mcp`, { raw: text });
    return { status: reply.status, body: reply.body as Rpc };
  };
  beforeAll(async () => {
    t = await startDreamServer({ metadata: { version: '2.3.4' } });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('initializes as an MCP server and lists reset, step, state and close as tools with JSON Schemas', async () => {
    const init = await rpc('initialize', { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'test', version: '0' } });
    expect(init.result).toMatchObject({ protocolVersion: '2025-03-26', capabilities: { tools: {} }, serverInfo: { name: 'dreambridge-webshop', version: '2.3.4' } });
    expect((await rpc('initialize', { protocolVersion: '1999-01-01' })).result!['protocolVersion']).toBe('2025-06-18');
    // A notification gets no JSON-RPC answer: 202 Accepted.
    expect((await http(`${t.server.url}/mcp`, { body: { jsonrpc: '2.0', method: 'notifications/initialized' } })).status).toBe(202);
    expect((await rpc('ping')).result).toEqual({});
    const tools = (await rpc('tools/list')).result!['tools'] as Array<{ name: string; description: string; inputSchema: Record<string, unknown> }>;
    expect(tools.map((tool) => tool.name)).toEqual(['reset', 'step', 'state', 'close']);
    const step = tools.find((tool) => tool.name === 'step')!;
    expect(step.inputSchema).toMatchObject({ type: 'object', required: ['action_str'], additionalProperties: false });
    expect(Object.keys(step.inputSchema['properties'] as object)).toEqual(expect.arrayContaining(['action_str', 'thought', 'session_id']));
    for (const tool of tools) expect(tool.description.length).toBeGreaterThan(10);
  });

  it('plays an episode through tools/call: reset opens a session, step and state name it, close frees it', async () => {
    const reset = await rpc('tools/call', { name: 'reset', arguments: { task_id: 1500, episode_id: 'mcp-ep-1', seed: null } });
    const first = reset.result!;
    expect(first['isError']).toBe(false);
    const payload = first['structuredContent'] as { observation: Record<string, unknown>; reward: null; done: boolean };
    expect(expectModel(openEnvModels.resetResponse, payload, 'reset tool result')).toMatchObject({ reward: null, done: false, observation: { page_type: 'search', episode_id: 'mcp-ep-1' } });
    // The same value as text content (MCP) and as data (where OpenEnv's MCP client reads it).
    expect(JSON.parse((first['content'] as Array<{ type: string; text: string }>)[0]!.text)).toEqual(payload);
    expect(first['data']).toEqual(payload);
    const sessionId = payload.observation['session_id'] as string;

    // OpenEnv's MCP client names the session in params.session_id …
    const step = await rpc('tools/call', { name: 'step', arguments: { action_str: 'search[brass desk lamp]', thought: 'the lamp' }, session_id: sessionId });
    expect(step.result!['structuredContent']).toMatchObject({ reward: 0, done: false, observation: { text: expect.stringContaining('Brass Desk Lamp'), step_count: 1 } });
    // … a plain MCP client in the arguments or the Mcp-Session-Id header.
    const byArgument = await rpc('tools/call', { name: 'step', arguments: { action_str: 'click[b0abcdefgh]', session_id: sessionId } });
    expect(byArgument.result!['structuredContent']).toMatchObject({ observation: { page_type: 'item', step_count: 2 } });
    const state = await rpc('tools/call', { name: 'state', arguments: {} }, { 'mcp-session-id': sessionId });
    expect(state.result!['structuredContent']).toMatchObject({ episode_id: 'mcp-ep-1', step_count: 2, session_id: sessionId });

    const transitions = (await t.runDir.readTransitions()).filter((l) => l.episode_id === 'mcp-ep-1');
    expect(transitions.map((l) => [l.action, l.thought])).toEqual([['search[brass desk lamp]', 'the lamp'], ['click[b0abcdefgh]', undefined]]);
    expect(transitions[0]!.next_state.text).toBe(resultsPage('find a brass desk lamp under 40 dollars'));

    expect((await rpc('tools/call', { name: 'close', arguments: { session_id: sessionId } })).result!['structuredContent']).toEqual({ session_id: sessionId, closed: true });
    expect((await rpc('tools/call', { name: 'close', arguments: { session_id: sessionId } })).result!['structuredContent']).toEqual({ session_id: sessionId, closed: false });
    const closed = await rpc('tools/call', { name: 'step', arguments: { action_str: 'click[buy now]', session_id: sessionId } });
    expect(closed.error).toMatchObject({ code: -32000, data: { code: 'SESSION_CLOSED' } });
  });

  it("supports OpenEnv's session methods (openenv/session/create and close)", async () => {
    const created = await rpc('openenv/session/create');
    const sessionId = created.result!['session_id'] as string;
    expect(sessionId).toMatch(/^s\d+-[0-9a-f]+$/);
    const reset = await rpc('tools/call', { name: 'reset', arguments: { task_id: '1502' }, session_id: sessionId });
    expect((reset.result!['structuredContent'] as { observation: { session_id: string } }).observation.session_id).toBe(sessionId);
    expect((await rpc('openenv/session/close', { session_id: sessionId })).result).toEqual({ session_id: sessionId, closed: true });
    expect((await rpc('openenv/session/close', { session_id: sessionId })).error).toMatchObject({ code: -32602, message: expect.stringMatching(/^Unknown session_id/) });
    expect((await rpc('openenv/session/close', {})).error).toMatchObject({ code: -32602 });
  });

  it('answers bad JSON-RPC with the standard error codes, always as HTTP 200 with a JSON-RPC body', async () => {
    // What `openenv validate` sends: an empty object.
    expect(await raw('{}')).toMatchObject({ status: 200, body: { jsonrpc: '2.0', id: null, error: { code: -32600 } } });
    expect(await raw('{"jsonrpc": "2.0", "method": "tools/list", "id": 1')).toMatchObject({ status: 200, body: { id: null, error: { code: -32700 } } });
    expect(await raw('not json at all')).toMatchObject({ status: 200, body: { error: { code: -32700 } } });
    expect(await raw('{"jsonrpc": "1.0", "method": "tools/list", "id": 7}')).toMatchObject({ status: 200, body: { id: 7, error: { code: -32600 } } });
    expect(await raw('{"jsonrpc": "2.0", "method": "tools/list", "id": 8, "params": [1, 2]}')).toMatchObject({ body: { id: 8, error: { code: -32600 } } });
    expect(await raw('{"jsonrpc": "2.0", "method": "tools/list", "id": 9, "extra": true}')).toMatchObject({ body: { id: 9, error: { code: -32600 } } });
    expect(await raw('[{"jsonrpc": "2.0", "method": "ping", "id": 1}]')).toMatchObject({ body: { error: { code: -32600, message: expect.stringMatching(/batches/) } } });
    for (const reply of [await raw('{}'), await raw('nope')]) expectModel(openEnvModels.jsonRpcResponse, reply.body, 'an error reply');
    expect((await rpc('resources/list')).error).toMatchObject({ code: -32601, message: 'Method not found: resources/list' });
    expect((await rpc('tools/call', { arguments: {} })).error).toMatchObject({ code: -32602 });
    expect((await rpc('tools/call', { name: 'launch_missiles', arguments: {} })).error).toMatchObject({ code: -32602, message: expect.stringMatching(/^Tool not found: launch_missiles/) });
    const badArgs = await rpc('tools/call', { name: 'reset', arguments: { seed: -1 } });
    expect(badArgs.error).toMatchObject({ code: -32602, data: { code: 'VALIDATION_ERROR', errors: [expect.objectContaining({ loc: ['seed'] })] } });
    expect((await rpc('tools/call', { name: 'step', arguments: { action_str: 'search[x]', extra: 1 } })).error).toMatchObject({ code: -32602, data: { code: 'VALIDATION_ERROR' } });
    const unnamed = await rpc('tools/call', { name: 'step', arguments: { action_str: 'search[x]' } });
    expect(unnamed.error).toMatchObject({ code: -32000, data: { code: 'EXECUTION_ERROR', error_code: 'ENV_NOT_RESET' }, message: expect.stringMatching(/session_id/) });
    expect((await http(`${t.server.url}/mcp`)).status).toBe(405);
    // The server is still fine.
    expect((await rpc('ping')).result).toEqual({});
  });
});
