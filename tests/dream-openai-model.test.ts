import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createWebShopProfile, WEBSHOP_SYSTEM_PROMPT } from '../adapters/webshop/webshop-profile.js';
import type { ScriptedLlmServer } from '../fixtures/llm/scripted-llm-server.js';
import { webShopExperienceReply } from '../fixtures/llm/webshop-replies.js';
import { DreamEnv } from '../src/dream/dream-env.js';
import type { ExperienceRequest, RetrievedTransition } from '../src/dream/experience-model.js';
import { EXPERIENCE_OUTPUT_FORMAT } from '../src/dream/experience-output.js';
import { OpenAIExperienceModel, type OpenAIExperienceModelOptions } from '../src/dream/openai-experience-model.js';
import { DreambridgeError } from '../src/env/errors.js';
import type { Observation } from '../src/protocol/index.js';
import { useLlmServers } from './helpers/llm-servers.js';

const profile = createWebShopProfile();
const start = useLlmServers();

const model = (server: ScriptedLlmServer, options: Partial<OpenAIExperienceModelOptions> = {}): OpenAIExperienceModel =>
  new OpenAIExperienceModel({ model: 'scripted', baseURL: server.url, apiKey: 'test', profile, maxRetries: 0, timeoutMs: 5000, ...options });

const INSTRUCTION = 'i need a brass desk lamp, and price lower than 40.00 dollars';
const observe = (text: string): Observation => ({
  text,
  instruction: INSTRUCTION,
  ...(profile.pageType(text) === undefined ? {} : { page_type: profile.pageType(text)! }),
  available_actions: profile.availableActions(text),
  source: 'dream',
});
const SEARCH = observe(`WebShop [SEP] Instruction: [SEP] ${INSTRUCTION} [SEP] Search`);
const RESULTS = observe(
  `Instruction: [SEP] ${INSTRUCTION} [SEP] Back to Search [SEP] Page 1 (Total results: 50) [SEP] Next > [SEP] B0LAMP0001 [SEP] Brass Desk Lamp [SEP] $29.99 [SEP] B0LAMP0002 [SEP] Floor Lamp [SEP] $59.99`,
);
const request = (overrides: Partial<ExperienceRequest> = {}): ExperienceRequest => ({
  task: { task_id: '1500', env: 'webshop', instruction: INSTRUCTION },
  instruction: INSTRUCTION,
  history: [],
  state: RESULTS,
  action: 'click[b0lamp0001]',
  ...overrides,
});
const GOOD =
  '<reasoning>Clicking the first result opens its item page.</reasoning>\n<next_state>Instruction: [SEP] x [SEP] Back to Search [SEP] < Prev [SEP] Brass Desk Lamp [SEP] Price: $29.99 [SEP] Rating: N.A. [SEP] Description [SEP] Features [SEP] Reviews [SEP] Buy Now</next_state>\n<reward>0</reward>\n<done>false</done>';
const demo = (i: number): RetrievedTransition => ({
  id: `t-${i}`,
  similarity: 0.9 - i / 10,
  state: `DEMO-STATE-${i} ${'filler '.repeat(i === 2 ? 1000 : 3)}`,
  action: `click[demo-${i}]`,
  next_state: `DEMO-NEXT-${i}`,
  reward: 0,
  done: false,
});

const errorOf = async (promise: Promise<unknown>): Promise<DreambridgeError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DreambridgeError);
  return error as DreambridgeError;
};

describe('OpenAIExperienceModel: the prompt', () => {
  it('sends the site prompt, the rules and format; the instruction, last H steps, k demos, state, actions and action', async () => {
    const server = await start({ defaultReply: GOOD });
    const asked: Array<{ action: string; k: number }> = [];
    const m = model(server, {
      historyLength: 2,
      k: 2,
      retrieve: (_state, action, k) => {
        asked.push({ action, k });
        return [demo(1), demo(2), demo(3)];
      },
      maxContextStateChars: 300,
    });
    expect(m.name).toBe('openai:scripted');
    expect(m.kind).toBe('llm');
    const history = [
      { state: SEARCH, action: 'search[old query]', reward: 0 },
      { state: RESULTS, action: 'click[next >]', reward: 0 },
      { state: RESULTS, action: 'click[< prev]', reward: 0 },
    ];
    const prediction = await m.predict(request({ history }));
    expect(asked).toEqual([{ action: 'click[b0lamp0001]', k: 2 }]);
    expect(prediction.retrieved).toEqual(['t-1', 't-2']);

    const seen = server.requests[0]!;
    const system = seen.messages[0]!;
    expect(system.role).toBe('system');
    expect(system.content).toContain(WEBSHOP_SYSTEM_PROMPT);
    expect(system.content).toContain('Page N (Total results: T)'); // the profile's state format
    expect(system.content).toContain(EXPERIENCE_OUTPUT_FORMAT);
    expect(system.content).toMatch(/invalid action[^\n]*the reward is 0/i);
    const user = seen.lastUserMessage;
    expect(user).toContain(`<instruction>\n${INSTRUCTION}\n</instruction>`);
    // Only the last 2 history steps, oldest first.
    expect(user).not.toContain('search[old query]');
    expect(user.indexOf('click[next >]')).toBeLessThan(user.indexOf('action: click[< prev]'));
    expect(user).toContain('<history steps="2">');
    // k = 2 demonstrations, long ones trimmed in the middle.
    expect(user).toContain('<demonstration id="t-1" similarity="0.800">');
    expect(user).toContain('DEMO-NEXT-2');
    expect(user).not.toContain('DEMO-STATE-3');
    expect(user).toMatch(/DEMO-STATE-2 (filler )+\S* \[…\]/);
    expect(user.length).toBeLessThan(4000);
    expect(user).toContain(`<current_state page_type="results">\n${RESULTS.text}\n</current_state>`);
    expect(user).toContain('click[back to search]\nclick[next >]\nclick[b0lamp0001]\nclick[b0lamp0002]');
    expect(user).toContain('<action>click[b0lamp0001]</action>');
    expect(seen.body).toMatchObject({ model: 'scripted', temperature: 0.7, max_tokens: 1024 });
  });

  it('without retrieval or history the prompt says so and retrieved is empty', async () => {
    const server = await start({ defaultReply: GOOD });
    const prediction = await model(server).predict(request({ state: SEARCH, action: 'search[brass lamp]' }));
    expect(prediction.retrieved).toEqual([]);
    expect(server.requests[0]?.lastUserMessage).toContain('(none: this is the first step of the episode)');
    expect(server.requests[0]?.lastUserMessage).toContain('(none retrieved)');
    expect(server.requests[0]?.lastUserMessage).toContain('search[<query>]');
  });

  it('a prompt directory overrides templates file by file and changes the prompt hash', async () => {
    const server = await start({ defaultReply: GOOD });
    const dir = mkdtempSync(join(tmpdir(), 'dreambridge-prompts-'));
    writeFileSync(join(dir, 'experience-user.md'), 'CUSTOM task={{instruction}} act={{action}} page={{page_type}}\n');
    const custom = model(server, { promptDir: dir });
    const builtIn = model(server);
    expect(custom.promptHash).toMatch(/^[0-9a-f]{64}$/);
    expect(custom.promptHash).not.toBe(builtIn.promptHash);
    expect(custom.templates.sources['experience-user.md']).toBe(join(dir, 'experience-user.md'));
    expect(custom.templates.sources['experience-system.md']).toBe('built-in');
    await custom.predict(request());
    expect(server.requests[0]?.lastUserMessage).toBe(`CUSTOM task=${INSTRUCTION} act=click[b0lamp0001] page=results`);
    expect(server.requests[0]?.messages[0]?.content).toContain(WEBSHOP_SYSTEM_PROMPT);

    writeFileSync(join(dir, 'experience-user.md'), '{{instruction}} {{actoin}}');
    expect((await errorOf(Promise.resolve().then(() => model(server, { promptDir: dir })))).code).toBe('CONFIG_INVALID');
    const typo = mkdtempSync(join(tmpdir(), 'dreambridge-prompts-'));
    writeFileSync(join(typo, 'experience-sytem.md'), 'x');
    const error = await errorOf(Promise.resolve().then(() => model(server, { promptDir: typo })));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('experience-sytem.md');
  });
});

describe('OpenAIExperienceModel: answers', () => {
  it('a good answer: next state, reward, done, reasoning and token usage per call and summed', async () => {
    const server = await start({ defaultReply: GOOD });
    const m = model(server);
    const first = await m.predict(request());
    expect(first).toMatchObject({ reasoning: 'Clicking the first result opens its item page.', reward: 0, done: false });
    expect(profile.pageType(first.next_state)).toBe('item');
    const body = server.requests[0]!;
    const promptTokens = body.messages.reduce((n, msg) => n + msg.content.split(/\s+/).filter(Boolean).length, 0);
    const completionTokens = GOOD.split(/\s+/).filter(Boolean).length;
    expect(first.info?.usage).toEqual({ prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens, calls: 1 });
    expect(first.info).not.toHaveProperty('parse_warnings');
    const second = await m.predict(request());
    const u1 = first.info?.usage as { total_tokens: number };
    const u2 = second.info?.usage as { total_tokens: number };
    expect(m.usage()).toEqual({ prompt_tokens: promptTokens * 2, completion_tokens: completionTokens * 2, total_tokens: u1.total_tokens + u2.total_tokens, calls: 2 });
  });

  it('a partial answer (no reward, unreadable done) is used with parse warnings', async () => {
    const server = await start({ defaultReply: '<next_state>WebShop [SEP] Instruction: [SEP] x [SEP] Search</next_state>\n<done>maybe</done>' });
    const prediction = await model(server).predict(request());
    expect(prediction).toMatchObject({ next_state: 'WebShop [SEP] Instruction: [SEP] x [SEP] Search', reward: 0, done: false, reasoning: '' });
    expect(prediction.info?.parse_warnings).toEqual(['no <reward>: 0 assumed', 'unreadable <done> "maybe": false assumed']);
  });

  it('an unreadable answer is asked again, showing the model its answer and the reason', async () => {
    const server = await start({ rules: [{ reply: 'Sure! The page changes to the item page.', times: 1 }], defaultReply: GOOD });
    const m = model(server);
    const prediction = await m.predict(request());
    expect(profile.pageType(prediction.next_state)).toBe('item');
    expect(prediction.info).toMatchObject({ parse_retries: 1, usage: { calls: 2 } });
    expect(server.requests).toHaveLength(2);
    const retry = server.requests[1]!.messages;
    expect(retry.slice(-2, -1)).toEqual([{ role: 'assistant', content: 'Sure! The page changes to the item page.' }]);
    expect(retry.at(-1)?.content).toContain('no <next_state> section');
    expect(retry.at(-1)?.content).toContain(EXPERIENCE_OUTPUT_FORMAT);
    expect(m.usage().calls).toBe(2);
  });

  it('still unreadable after parseRetries: MODEL_OUTPUT_UNPARSEABLE with every raw answer, never an invented state', async () => {
    let n = 0;
    const server = await start({ defaultReply: () => `garbage answer ${(n += 1)}` });
    const m = model(server, { parseRetries: 2, retrieve: () => [demo(1)] });
    const error = await errorOf(m.predict(request()));
    expect(error.code).toBe('MODEL_OUTPUT_UNPARSEABLE');
    expect(error.details.raw).toEqual(['garbage answer 1', 'garbage answer 2', 'garbage answer 3']);
    expect(error.details.retrieved).toEqual(['t-1']);
    expect(server.requests).toHaveLength(3);
    expect(m.usage().calls).toBe(3);
  });
});

describe('OpenAIExperienceModel: failures, deadlines, concurrency', () => {
  it('recovers from injected HTTP failures through the client retries', async () => {
    const server = await start({ rules: [{ status: 503, failTimes: 2, retryAfterMs: 0, reply: GOOD }] });
    const prediction = await model(server, { maxRetries: 2 }).predict(request());
    expect(profile.pageType(prediction.next_state)).toBe('item');
    expect(server.requests.map((r) => r.outcome)).toEqual(['status', 'status', 'reply']);
    expect(prediction.info?.usage).toMatchObject({ calls: 1 });
  });

  it('HTTP failure after the retries, or a broken body: MODEL_REQUEST_FAILED', async () => {
    const server = await start({ rules: [{ match: /b0lamp0001/, status: 500, retryAfterMs: 0 }, { match: /b0lamp0002/, garbage: true }] });
    const error = await errorOf(model(server, { maxRetries: 1 }).predict(request()));
    expect(error.code).toBe('MODEL_REQUEST_FAILED');
    expect(error.details).toMatchObject({ model: 'openai:scripted', status: 500 });
    expect(server.requests).toHaveLength(2);
    expect((await errorOf(model(server).predict(request({ action: 'click[b0lamp0002]' })))).code).toBe('MODEL_REQUEST_FAILED');
  });

  it('timeouts: the per-request timeout is MODEL_REQUEST_FAILED; the caller deadline is STEP_TIMEOUT; an abort rejects with its reason', async () => {
    const server = await start({ rules: [{ hang: true }] });
    const perRequest = await errorOf(model(server, { timeoutMs: 200 }).predict(request()));
    expect(perRequest.code).toBe('MODEL_REQUEST_FAILED');
    expect(perRequest.message).toContain('200 ms');

    const started = performance.now();
    const deadline = await errorOf(model(server, { timeoutMs: 10_000 }).predict(request(), { timeoutMs: 250 }));
    expect(deadline.code).toBe('STEP_TIMEOUT');
    expect(performance.now() - started).toBeLessThan(2000);

    const controller = new AbortController();
    const reason = new Error('run interrupted');
    setTimeout(() => controller.abort(reason), 100);
    await expect(model(server).predict(request(), { signal: controller.signal })).rejects.toBe(reason);
  });

  it('never has more than `concurrency` requests in flight', async () => {
    const server = await start({ defaultReply: GOOD, delayMs: 150 });
    const m = model(server, { concurrency: 3 });
    const predictions = await Promise.all(Array.from({ length: 10 }, () => m.predict(request())));
    expect(predictions).toHaveLength(10);
    expect(server.maxInFlight).toBeLessThanOrEqual(3);
    expect(server.maxInFlight).toBeGreaterThan(1);
    expect(m.usage().calls).toBe(10);
  });
});

describe('the K samples of a shadowed step', () => {
  it('share one prompt build and retrieval for the same request, and ask the endpoint K times', async () => {
    const server = await start({ defaultReply: webShopExperienceReply });
    let retrievals = 0;
    const m = model(server, {
      retrieve: () => {
        retrievals += 1;
        return [demo(1)];
      },
    });
    const shared = request();
    const predictions = await Promise.all([m.predict(shared), m.predict(shared), m.predict(shared)]);
    expect(predictions.map((p) => p.retrieved)).toEqual([['t-1'], ['t-1'], ['t-1']]);
    expect(retrievals).toBe(1);
    expect(server.requests.filter((r) => r.path.endsWith('/chat/completions'))).toHaveLength(3);
    // A different request object is a different step: built again.
    await m.predict(request());
    expect(retrievals).toBe(2);
  });

  const chats = (server: ScriptedLlmServer) => server.requests.filter((r) => r.route === 'chat').map((r) => r.body as { n?: number; messages: unknown[] });

  it('draws K samples in one request (n = K) and shares its usage among them exactly', async () => {
    const server = await start({ defaultReply: webShopExperienceReply });
    const m = model(server, { retrieve: () => [demo(1)] });
    const settled = await m.predictMany(request(), 3);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(chats(server).map((b) => b.n)).toEqual([3]);
    const usages = settled.map((s) => (s.status === 'fulfilled' ? (s.value.info?.['usage'] as { prompt_tokens: number; completion_tokens: number; calls: number }) : undefined)!);
    const total = m.usage();
    expect(total.calls).toBe(1);
    expect(usages.reduce((n, u) => n + u.prompt_tokens, 0)).toBe(total.prompt_tokens);
    expect(usages.reduce((n, u) => n + u.completion_tokens, 0)).toBe(total.completion_tokens);
    expect(usages.reduce((n, u) => n + u.calls, 0)).toBe(1);
    for (const s of settled) if (s.status === 'fulfilled') expect(s.value.retrieved).toEqual(['t-1']);
  });

  it('an endpoint that ignores n answers one choice: the other samples are asked one by one', async () => {
    const server = await start({ defaultReply: webShopExperienceReply, ignoreN: true });
    const settled = await model(server).predictMany(request(), 3);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(chats(server).map((b) => b.n)).toEqual([3, undefined, undefined]);
  });

  it('an unreadable choice is re-asked alone, showing the model its answer; the readable ones are kept', async () => {
    const server = await start({ defaultReply: (r) => (r.hit === 0 && r.choice === 1 && r.messages.length === 2 ? 'no tags at all' : GOOD) });
    const settled = await model(server).predictMany(request(), 3);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    const bodies = chats(server);
    expect(bodies.map((b) => b.n)).toEqual([3, undefined]);
    expect(JSON.stringify(bodies[1]!.messages)).toContain('no tags at all');
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value.info?.['parse_retries'] : 'x'))).toEqual([undefined, 1, undefined]);
  });

  it('an endpoint that refuses n is asked one by one, and not sent n again', async () => {
    const server = await start({ defaultReply: webShopExperienceReply, refuseN: true });
    const m = model(server);
    expect((await m.predictMany(request(), 3)).map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect((await m.predictMany(request(), 2)).map((s) => s.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(chats(server).map((b) => b.n)).toEqual([3, undefined, undefined, undefined, undefined, undefined]);
  });

  it('a refused request fails every sample with MODEL_REQUEST_FAILED', async () => {
    // Refused 3 times: the request with n, then each sample asked alone (so n is kept for later).
    const server = await start({ defaultReply: GOOD, rules: [{ status: 400, times: 3 }] });
    const m = model(server);
    const settled = await m.predictMany(request(), 2);
    expect(settled.map((s) => (s.status === 'rejected' ? (s.reason as DreambridgeError).code : 'ok'))).toEqual(['MODEL_REQUEST_FAILED', 'MODEL_REQUEST_FAILED']);
    await m.predictMany(request(), 2);
    expect(chats(server).map((b) => b.n)).toEqual([2, undefined, undefined, 2]);
  });
});

describe('DreamEnv on OpenAIExperienceModel and the WebShop profile', () => {
  it('dreams an episode whose observations are read by the profile', async () => {
    const server = await start({ defaultReply: webShopExperienceReply });
    const m = model(server, { retrieve: () => [demo(1)] });
    const env = new DreamEnv({ model: m, profile });
    const first = await env.reset({ task_id: '1500', env: 'webshop', instruction: INSTRUCTION });
    expect(first.page_type).toBe('search');
    const results = await env.step('search[brass desk lamp]');
    expect(results.observation.page_type).toBe('results');
    expect(results.observation.source).toBe('dream');
    const clickables = (results.observation.available_actions as { clickables: string[] }).clickables;
    expect(clickables.slice(0, 2)).toEqual(['back to search', 'next >']);
    expect(clickables.slice(2)).toHaveLength(10);
    expect(results.info).toMatchObject({ model: 'openai:scripted', model_kind: 'llm', retrieved: ['t-1'], usage: { calls: 1 } });
    const item = await env.step(`click[${clickables[2]!}]`);
    expect(item.observation.page_type).toBe('item');
    expect(item.observation.available_actions).toMatchObject({ clickables: expect.arrayContaining(['buy now', 'small']) as unknown });
    const done = await env.step('click[buy now]');
    expect(done).toMatchObject({ reward: 1, done: true });
    expect(done.observation.page_type).toBe('done');
    // The model saw the episode so far: the search step is in the last request's history.
    expect(server.requests.at(-1)?.lastUserMessage).toContain('action: search[brass desk lamp]');
    expect(m.usage().calls).toBe(3);
  });
});
