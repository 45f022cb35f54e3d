import { describe, expect, it } from 'vitest';
import { createWebShopProfile } from '../adapters/webshop/webshop-profile.js';
import type { ScriptedLlmServer } from '../fixtures/llm/scripted-llm-server.js';
import { webShopExperienceReply, webShopPolicyReply } from '../fixtures/llm/webshop-replies.js';
import { createOpenAIChatPolicy, type OpenAIChatPolicyOptions } from '../harness/policies/index.js';
import type { HistoryEntry } from '../src/env/policy.js';
import { DreamEnv } from '../src/dream/dream-env.js';
import { OpenAIExperienceModel } from '../src/dream/openai-experience-model.js';
import { DreambridgeError } from '../src/env/errors.js';
import type { Observation, Task } from '../src/protocol/index.js';
import { useLlmServers } from './helpers/llm-servers.js';

const profile = createWebShopProfile();
const start = useLlmServers();

const policy = (server: ScriptedLlmServer, options: Partial<OpenAIChatPolicyOptions> = {}) =>
  createOpenAIChatPolicy({ model: 'scripted', baseURL: server.url, apiKey: 'test', maxRetries: 0, timeoutMs: 5000, profile, ...options });

const INSTRUCTION = 'i need a brass desk lamp, and price lower than 40.00 dollars';
const task: Task = { task_id: '1500', env: 'webshop', instruction: INSTRUCTION };
const observe = (text: string, extra: Partial<Observation> = {}): Observation => ({
  text,
  instruction: INSTRUCTION,
  available_actions: profile.availableActions(text),
  source: 'real',
  ...extra,
});
const SEARCH = observe(`WebShop [SEP] Instruction: [SEP] ${INSTRUCTION} [SEP] Search`);
const RESULTS = observe(
  `Instruction: [SEP] ${INSTRUCTION} [SEP] Back to Search [SEP] Page 1 (Total results: 50) [SEP] Next > [SEP] B0LAMP0001 [SEP] Brass Desk Lamp [SEP] $29.99 [SEP] B0LAMP0002 [SEP] Floor Lamp [SEP] $59.99`,
);
const GOOD = '<think>The brass lamp matches and costs less than 40.</think>\n<action>click[b0lamp0001]</action>';

describe('createOpenAIChatPolicy', () => {
  it('prompts like verl-agent: task, recent history, observation, admissible actions; returns action and thought', async () => {
    const server = await start({ defaultReply: GOOD });
    const p = policy(server, { historyLength: 2 });
    expect(p.name).toBe('openai:scripted');
    const history: HistoryEntry[] = [
      { observation: SEARCH, action: 'search[old query]', reward: 0 },
      { observation: RESULTS, action: 'click[next >]', reward: 0 },
      { observation: RESULTS, action: 'click[< prev]', reward: 0 },
    ];
    const decision = await p.act({ ...RESULTS, last_action_error: 'INVALID_ACTION: no such button' }, history, task);
    expect(decision).toEqual({ action: 'click[b0lamp0001]', thought: 'The brass lamp matches and costs less than 40.' });

    const prompt = server.requests[0]!.lastUserMessage;
    expect(prompt).toContain('operating in the WebShop e-commerce platform');
    expect(prompt).toContain(`Your task is to: ${INSTRUCTION}.`);
    expect(prompt).toContain('you have already taken 3 step(s). Below are the most recent 2 observations');
    expect(prompt).not.toContain('search[old query]');
    expect(prompt).toContain("Action 2: 'click[next >]'");
    expect(prompt).toContain("Action 3: 'click[< prev]'");
    expect(prompt).toContain('Your last action did not work: INVALID_ACTION: no such button.');
    expect(prompt).toContain(`You are now at step 4 and your current observation is: ${RESULTS.text}.`);
    expect(prompt).toContain("[\n'click[back to search]',\n'click[next >]',\n'click[b0lamp0001]',\n'click[b0lamp0002]'\n]");
    expect(prompt).toMatch(/<think> <\/think>[\s\S]*<action> <\/action>/);
    expect(server.requests[0]?.body).toMatchObject({ temperature: 0.7, max_tokens: 512 });
  });

  it('lists search on a page with a search bar', async () => {
    const server = await start({ defaultReply: '<think>search first</think><action>search[brass desk lamp]</action>' });
    expect((await policy(server).act(SEARCH, [], task)).action).toBe('search[brass desk lamp]');
    expect(server.requests[0]?.lastUserMessage).toContain("'search[<your query>]'");
    expect(server.requests[0]?.lastUserMessage).toContain('This is the first step.');
  });

  it('re-asks after a reply without a usable <action>, counting every call', async () => {
    const server = await start({
      rules: [
        { reply: 'I would click the brass lamp.', times: 1 },
        { reply: '<think>x</think><action>buy the lamp</action>', times: 1 },
      ],
      defaultReply: GOOD,
    });
    const p = policy(server);
    expect((await p.act(RESULTS, [], task)).action).toBe('click[b0lamp0001]');
    expect(server.requests).toHaveLength(3);
    const last = server.requests[2]!.messages;
    expect(last.slice(-2, -1)).toEqual([{ role: 'assistant', content: '<think>x</think><action>buy the lamp</action>' }]);
    expect(last.at(-1)?.content).toMatch(/"buy the lamp" is not an action/);
    expect(server.requests[1]?.messages.at(-1)?.content).toContain('no <action>');
    expect(p.usage().calls).toBe(3);
    const tokens = server.requests.reduce((n, r) => n + r.messages.reduce((m, msg) => m + msg.content.split(/\s+/).filter(Boolean).length, 0), 0);
    expect(p.usage().prompt_tokens).toBe(tokens);
  });

  it('out of re-asks: the raw reply is the action, which the environment records as an invalid step', async () => {
    const server = await start({ defaultReply: 'Honestly, I am not sure what to do here.' });
    const p = policy(server, { formatRetries: 1 });
    const decision = await p.act(RESULTS, [], task);
    expect(decision).toEqual({ action: 'Honestly, I am not sure what to do here.', thought: 'Honestly, I am not sure what to do here.' });
    expect(server.requests).toHaveLength(2);

    // Stepped in an environment, it is an ordinary invalid-action step, not a crash.
    const modelServer = await start({ defaultReply: webShopExperienceReply });
    const env = new DreamEnv({ model: new OpenAIExperienceModel({ model: 'm', baseURL: modelServer.url, apiKey: 'test', profile }), profile });
    await env.reset(task);
    const step = await env.step(decision.action);
    expect(step.reward).toBe(0);
    expect(step.observation.last_action_error).toMatch(/^INVALID_ACTION/);
    expect(modelServer.requests).toHaveLength(0);
  });

  it('HTTP failures are MODEL_REQUEST_FAILED; the caller deadline is STEP_TIMEOUT', async () => {
    const server = await start({ rules: [{ match: /B0LAMP0001/, status: 502, retryAfterMs: 0 }, { hang: true }] });
    const failed = await policy(server, { maxRetries: 1 }).act(RESULTS, [], task).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(DreambridgeError);
    expect(failed).toMatchObject({ code: 'MODEL_REQUEST_FAILED', details: { status: 502 } });
    expect(server.requests).toHaveLength(2);
    const started = performance.now();
    const late = await policy(server).act(SEARCH, [], task, { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(late).toMatchObject({ code: 'STEP_TIMEOUT' });
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('plays a dreamed WebShop episode end to end against the scripted server', async () => {
    const server = await start({ rules: [{ match: /<current_state/, reply: webShopExperienceReply }], defaultReply: webShopPolicyReply });
    const p = policy(server);
    const env = new DreamEnv({ model: new OpenAIExperienceModel({ model: 'm', baseURL: server.url, apiKey: 'test', profile }), profile });
    let observation = await env.reset(task);
    const history: HistoryEntry[] = [];
    let result;
    for (let i = 0; i < 5; i += 1) {
      const { action } = await p.act(observation, history, task);
      result = await env.step(action);
      history.push({ observation, action, reward: result.reward });
      observation = result.observation;
      if (result.done) break;
    }
    expect(history.map((h) => h.action.replace(/\[b0\w+\]/, '[asin]'))).toEqual(['search[need brass desk lamp and price]', 'click[asin]', 'click[buy now]']);
    expect(result).toMatchObject({ done: true, reward: 1 });
    expect(p.usage().calls).toBe(3);
  });
});
