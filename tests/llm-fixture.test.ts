import OpenAI, { APIConnectionTimeoutError, APIError } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { createWebShopProfile } from '../adapters/webshop/webshop-profile.js';
import { startLlmServerProcess } from '../fixtures/llm/llm-server-process.js';
import { startScriptedLlmServer, type ScriptedLlmOptions, type ScriptedLlmServer } from '../fixtures/llm/scripted-llm-server.js';
import { imagineWebShopStep } from '../fixtures/llm/webshop-replies.js';
import { parseExperienceOutput } from '../src/dream/experience-output.js';

const servers: ScriptedLlmServer[] = [];
const start = async (options: ScriptedLlmOptions = {}): Promise<ScriptedLlmServer> => {
  const server = await startScriptedLlmServer(options);
  servers.push(server);
  return server;
};
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const clientFor = (server: ScriptedLlmServer, extra: { timeout?: number; maxRetries?: number } = {}): OpenAI =>
  new OpenAI({ baseURL: server.url, apiKey: 'test', maxRetries: 0, ...extra });

const chat = (client: OpenAI, content: string) => client.chat.completions.create({ model: 'scripted', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content }] });

const post = (server: ScriptedLlmServer, path: string, body: unknown): Promise<Response> =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const norm = (v: ArrayLike<number>): number => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));
const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => Array.from(a).reduce((s, x, i) => s + x * (b[i] ?? 0), 0);

describe('scripted LLM server: embeddings', () => {
  it('answers the OpenAI shape with deterministic unit vectors, for a string or a list', async () => {
    const server = await start();
    const client = clientFor(server);
    const one = await client.embeddings.create({ model: 'emb', input: 'red running shoes', encoding_format: 'float' });
    expect(one.object).toBe('list');
    expect(one.model).toBe('emb');
    expect(one.data).toHaveLength(1);
    expect(one.data[0]?.embedding).toHaveLength(256);
    expect(norm(one.data[0]!.embedding)).toBeCloseTo(1, 6);
    expect(one.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });

    const many = await client.embeddings.create({ model: 'emb', input: ['red running shoes', 'red shoes', 'blue desk lamp'], dimensions: 64, encoding_format: 'float' });
    const [a, b, c] = many.data.map((d) => d.embedding);
    expect(many.data.map((d) => d.index)).toEqual([0, 1, 2]);
    expect(a).toHaveLength(64);
    // Shared words → closer than unrelated texts; same text → the same vector as before (at 64 dims).
    expect(dot(a!, b!)).toBeGreaterThan(dot(a!, c!));
    const again = await client.embeddings.create({ model: 'emb', input: 'red running shoes', dimensions: 64, encoding_format: 'float' });
    expect(again.data[0]?.embedding).toEqual(a);
    expect(many.usage.prompt_tokens).toBe(3 + 2 + 3);
  });

  it('serves base64 (the client default) and token-array input; rejects a malformed input', async () => {
    const server = await start({ embeddingDimensions: 32 });
    const client = clientFor(server);
    const decoded = await client.embeddings.create({ model: 'emb', input: 'desk lamp' });
    const floats = await client.embeddings.create({ model: 'emb', input: 'desk lamp', encoding_format: 'float' });
    expect(Array.from(decoded.data[0]!.embedding as ArrayLike<number>)).toEqual(floats.data[0]!.embedding.map((x) => Math.fround(x)));
    const tokens = await client.embeddings.create({ model: 'emb', input: [[1, 2, 3], [4]], encoding_format: 'float' });
    expect(tokens.data).toHaveLength(2);
    const bad = await post(server, '/embeddings', { model: 'emb', input: 42 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/input/);
    expect(server.requests.map((r) => r.route)).toEqual(['embeddings', 'embeddings', 'embeddings', 'embeddings']);
  });
});

describe('scripted LLM server: completions', () => {
  it('reports whitespace token usage and lets a reply be a function of the request', async () => {
    const server = await start({
      rules: [{ match: /^echo /, reply: (req) => `you said: ${req.lastUserMessage.slice(5)} (model ${req.model}, hit ${req.hit})` }],
      defaultReply: 'one two three',
    });
    const client = clientFor(server);
    const plain = await chat(client, 'four words right here');
    expect(plain.choices[0]?.message.content).toBe('one two three');
    expect(plain.usage).toEqual({ prompt_tokens: 2 + 4, completion_tokens: 3, total_tokens: 9 });
    const echoed = await chat(client, 'echo hello there');
    expect(echoed.choices[0]?.message.content).toBe('you said: hello there (model scripted, hit 1)');
    expect(server.requests[1]?.messages).toEqual([{ role: 'system', content: 'be brief' }, { role: 'user', content: 'echo hello there' }]);
  });

  it('fails the first n matching requests, then answers (and the client retries through it)', async () => {
    const server = await start({ rules: [{ match: /flaky/, status: 503, failTimes: 2, retryAfterMs: 0, reply: 'recovered' }] });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await post(server, '/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'flaky' }] })).status);
    expect(statuses).toEqual([503, 503, 200]);

    const again = await start({ rules: [{ match: /flaky/, status: 503, failTimes: 2, retryAfterMs: 0, reply: 'recovered' }] });
    const reply = await chat(clientFor(again, { maxRetries: 2 }), 'flaky');
    expect(reply.choices[0]?.message.content).toBe('recovered');
    expect(again.requests.map((r) => r.outcome)).toEqual(['status', 'status', 'reply']);
  });

  it('a status rule without failTimes always fails; `times` limits a rule to its first matches', async () => {
    const server = await start({ rules: [{ match: /down/, status: 500 }, { reply: 'first only', times: 1 }], defaultReply: 'default' });
    const client = clientFor(server);
    const error = await chat(client, 'down').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(500);
    expect((await chat(client, 'a')).choices[0]?.message.content).toBe('first only');
    expect((await chat(client, 'b')).choices[0]?.message.content).toBe('default');
  });

  it('garbage: a 200 whose body is not JSON makes the client fail', async () => {
    const server = await start({ rules: [{ garbage: true }] });
    const raw = await post(server, '/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'x' }] });
    expect(raw.status).toBe(200);
    await expect(raw.clone().json()).rejects.toThrow();
    await expect(chat(clientFor(server), 'x')).rejects.toThrow();
  });

  it('hang: never answers, so a client timeout fires; close() still returns at once', async () => {
    const server = await start({ rules: [{ match: /hang/, hang: true }] });
    const started = performance.now();
    const error = await chat(clientFor(server, { timeout: 300 }), 'please hang').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(server.requests[0]?.outcome).toBe('hang');
    // A second hanging request left open: close must not wait for it.
    void post(server, '/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'hang again' }] }).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closing = performance.now();
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    expect(performance.now() - closing).toBeLessThan(1000);
  });

  it('delays: the server delay applies to embeddings too; a rule delay replaces it; in-flight requests are counted', async () => {
    // A delay far above a loaded machine's request time, so "no delay" is told apart from it.
    const server = await start({ delayMs: 1000, rules: [{ match: /fast/, delayMs: 0, reply: 'quick' }] });
    const client = clientFor(server);
    let t = performance.now();
    await client.embeddings.create({ model: 'e', input: 'x', encoding_format: 'float' });
    expect(performance.now() - t).toBeGreaterThanOrEqual(990);
    t = performance.now();
    await chat(client, 'fast please');
    expect(performance.now() - t).toBeLessThan(700);
    await Promise.all(Array.from({ length: 5 }, () => chat(client, 'slow')));
    expect(server.maxInFlight).toBe(5);
    expect(server.inFlight).toBe(0);
  });
});

describe('WebShop replies of the scripted server', () => {
  it('imagines states that the WebShop profile reads as real pages', () => {
    const profile = createWebShopProfile();
    const search = 'WebShop [SEP] Instruction: [SEP] i need a desk lamp under 30 dollars [SEP] Search';
    const results = imagineWebShopStep(search, 'search[desk lamp]');
    expect(profile.pageType(results.nextState)).toBe('results');
    const clickables = (profile.availableActions(results.nextState) as { clickables: string[] }).clickables;
    expect(clickables).toHaveLength(1 + 1 + 10);
    const asin = clickables[2]!;
    const item = imagineWebShopStep(results.nextState, `click[${asin}]`);
    expect(profile.pageType(item.nextState)).toBe('item');
    expect(item.nextState).toContain('Desk Lamp');
    const done = imagineWebShopStep(item.nextState, 'click[buy now]');
    expect(profile.pageType(done.nextState)).toBe('done');
    expect(done).toMatchObject({ reward: 1, done: true });
  });
});

describe('the server in its own process', () => {
  it('prints its URL, answers with the selected reply, and exits on close', async () => {
    const proc = await startLlmServerProcess({ latencyMs: 100 });
    try {
      expect(proc.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      const client = new OpenAI({ baseURL: proc.url, apiKey: 'test', maxRetries: 0 });
      const started = performance.now();
      const reply = await client.chat.completions.create({
        model: 'scripted',
        messages: [
          { role: 'system', content: 'answer with <next_state>' },
          { role: 'user', content: '<current_state page_type="search">\nWebShop [SEP] Instruction: [SEP] i want red shoes [SEP] Search\n</current_state>\n<action>search[red shoes]</action>' },
        ],
      });
      expect(performance.now() - started).toBeGreaterThanOrEqual(95);
      const parsed = parseExperienceOutput(reply.choices[0]?.message.content ?? '');
      expect(parsed.ok && createWebShopProfile().pageType(parsed.value.nextState)).toBe('results');
    } finally {
      await proc.close();
    }
    await expect(fetch(`${proc.url}/models`)).rejects.toThrow();

    const fixed = await startLlmServerProcess({ reply: 'a fixed reply' });
    try {
      const reply = await new OpenAI({ baseURL: fixed.url, apiKey: 'test' }).chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
      expect(reply.choices[0]?.message.content).toBe('a fixed reply');
    } finally {
      await fixed.close();
    }
  });
});
