import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrowserProvider, type BrowserProvider } from '../adapters/browser/browser-provider.js';
import { createOpenAIJudge } from '../adapters/webarena/evaluators/openai-judge.js';
import { WebArenaEnv, type WebArenaEnvOptions } from '../adapters/webarena/webarena-env.js';
import { findTreeId } from '../adapters/webarena/webarena-profile.js';
import { parseWebArenaTasks, type WebArenaTask } from '../adapters/webarena/webarena-task-config.js';
import { startScriptedLlmServer } from '../fixtures/llm/scripted-llm-server.js';
import { loadFixtureTasks, loadReferenceActions } from '../fixtures/webarena/reference-actions.js';
import { startWebArenaFixture, type RunningWebArenaFixture } from '../fixtures/webarena/server.js';
import { createOraclePolicy } from '../harness/policies/index.js';
import { runEpisodes } from '../harness/runner.js';
import type { Episode, Observation } from '../src/protocol/index.js';
import { openRunDirectory } from '../src/store/index.js';

let fixture: RunningWebArenaFixture;
let provider: BrowserProvider;
let llm: Awaited<ReturnType<typeof startScriptedLlmServer>>;
const tasks = parseWebArenaTasks(loadFixtureTasks(), 'tasks.json');
const byId = new Map(tasks.map((t) => [String(t.task_id), t]));
const reference = loadReferenceActions();
const findId = findTreeId;

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Paraphrases of the fuzzy_match references: only a judge can score these 1. */
const paraphrases: Record<string, string> = {
  '3': 'Order 000000038: 3 Summit Crewneck Tees and 1 Glacier Gym Duffle; it was canceled',
  '19': 'The capsule came back with more heat shield charring than the models predicted',
};

beforeAll(async () => {
  fixture = await startWebArenaFixture({ port: 0 });
  provider = createBrowserProvider({ kind: 'launch' });
  // The judge says "correct" exactly for the paraphrases.
  llm = await startScriptedLlmServer({
    rules: Object.values(paraphrases).map((answer) => ({
      match: new RegExp(`Student answer: ${escapeRegExp(answer)}\\s*(\\n|$)`, 'i'),
      reply: 'They mean the same.\nVerdict: correct',
    })),
    defaultReply: 'Verdict: incorrect',
  });
});

afterAll(async () => {
  await provider?.close();
  await fixture?.close();
  await llm?.close();
});

const envOptions = (extra: Partial<WebArenaEnvOptions> = {}): WebArenaEnvOptions => ({
  browser: provider,
  tasks: byId,
  sites: (episode) => fixture.sitesFor(episode),
  login: fixture.credentials,
  clearBeforeType: true,
  ...extra,
});

const run = async (ids: string[], actionsFor: (id: string) => string[], extra: Partial<WebArenaEnvOptions> = {}, concurrency = 2): Promise<Episode[]> => {
  const runDir = await openRunDirectory(mkdtempSync(join(tmpdir(), 'dreambridge-webarena-')));
  await runEpisodes({
    envFactory: { source: 'real', create: async () => new WebArenaEnv(envOptions(extra)), close: async () => undefined },
    policy: (task) => createOraclePolicy({ actions: actionsFor(task.task_id), findId }),
    tasks: ids.map((id) => ({ task_id: id, env: 'webarena' })),
    concurrency,
    runDir,
    runId: 'run-webarena-test',
    envName: 'webarena',
  });
  const episodes = await runDir.readEpisodes();
  await runDir.close();
  return episodes;
};

const scriptedJudge = (): Partial<WebArenaEnvOptions> => ({ judge: createOpenAIJudge({ model: 'scripted', baseURL: llm.url, apiKey: 'test' }) });

describe('WebArenaEnv on the fixture sites', () => {
  it('every fixture task scores 1 with its oracle sequence, without a judge', async () => {
    const episodes = await run([...byId.keys()], (id) => reference[id]!);
    const failed = episodes.filter((e) => e.total_reward !== 1).map((e) => `${e.task_id}: ${e.termination} ${e.error ?? ''}`);
    expect(failed).toEqual([]);
    expect(episodes).toHaveLength(tasks.length);
    // 22 tasks one after the other in Chromium: about 30 s on a quiet machine, more beside other work.
  }, 180_000);

  it('the oracle plays its role/name targets under --compact too', async () => {
    const episodes = await run([...byId.keys()], (id) => reference[id]!, { observation: 'compact' });
    const failed = episodes.filter((e) => e.total_reward !== 1).map((e) => `${e.task_id}: ${e.termination} ${e.error ?? ''}`);
    expect(failed).toEqual([]);
  }, 180_000);

  it('a paraphrase of a fuzzy_match reference needs the judge', async () => {
    const paraphrased = (id: string): string[] => [...reference[id]!.slice(0, -1), `stop [${paraphrases[id]!}]`];
    const judged = await run(Object.keys(paraphrases), paraphrased, scriptedJudge());
    expect(judged.map((e) => [e.task_id, e.total_reward])).toEqual([['3', 1], ['19', 1]]);
    const unjudged = await run(Object.keys(paraphrases), paraphrased);
    expect(unjudged.map((e) => [e.task_id, e.total_reward])).toEqual([['3', 0], ['19', 0]]);
  }, 120_000);

  it('scores 0 with a wrong answer or without doing the work', async () => {
    // Every task stopped at once with a wrong answer: no evaluator may pass.
    const episodes = await run([...byId.keys()], () => ['stop [certainly not the answer 12345]']);
    expect(episodes.filter((e) => e.total_reward !== 0).map((e) => e.task_id)).toEqual([]);
  });

  it('keeps each episode in its own site state, also in parallel', async () => {
    const namespaces: string[] = [];
    const priceTask = tasks.find((t) => t.eval.program_html?.some((p) => p.locator.includes('price')))!;
    const id = String(priceTask.task_id);
    const episodes = await run([id, id], (task) => reference[task]!, {
      sites: (episode) => {
        namespaces.push(episode);
        return fixture.sitesFor(episode);
      },
    });
    expect(episodes.map((e) => e.total_reward)).toEqual([1, 1]);
    expect(new Set(namespaces).size).toBe(2);
    // A third, fresh episode stopping at once sees the seed data again: its program_html fails.
    const fresh = await run([id], () => ['stop []']);
    expect(fresh[0]!.total_reward).toBe(0);
  });
});

describe('WebArenaEnv rules', () => {
  const first = (): [WebArenaEnv, WebArenaTask] => [new WebArenaEnv(envOptions({ maxSteps: 30 })), tasks[0]!];

  it('renders the tree with a tab header, the URL and actionable ids', async () => {
    const [env, task] = first();
    try {
      const obs = await env.reset({ task_id: String(task.task_id), env: 'webarena' });
      expect(obs.text).toMatch(/^Tab 0 \(current\): .+\n\n\[\d+\] RootWebArea '/);
      expect(obs.url).toContain('/shopping_admin');
      expect(obs.page_type).toMatch(/^shopping_admin:\//);
      expect((obs.available_actions as { ids: string[] }).ids.length).toBeGreaterThan(3);
      expect(obs.instruction).toBe(task.intent);
    } finally {
      await env.close();
    }
  });

  it('refuses a goto outside the task sites with an error observation', async () => {
    const [env, task] = first();
    try {
      await env.reset({ task_id: String(task.task_id), env: 'webarena' });
      const step = await env.step('goto [http://example.com/]');
      expect(step.observation.last_action_error).toMatch(/outside the task's sites/);
      expect(step.observation.url).toContain('127.0.0.1');
      expect(step.done).toBe(false);
      // What the page cannot do is an impossible action, not a crashed episode.
      const key = await env.step('press [NoSuchKey]');
      expect(key.observation.last_action_error).toMatch(/^INVALID_ACTION: .*NoSuchKey/);
      const missing = await env.step('click [99999]');
      expect(missing.observation.last_action_error).toMatch(/\[99999\] is not in the current observation/);
    } finally {
      await env.close();
    }
  });

  it('stops early after 3 identical or 3 unparseable actions, and truncates at max_steps', async () => {
    const [env, task] = first();
    try {
      const obs: Observation = await env.reset({ task_id: String(task.task_id), env: 'webarena' });
      const id = (obs.available_actions as { ids: string[] }).ids.find((i) => findId(obs.text, 'link', 'Dashboard') === i) ?? 'none';
      await env.step('hover [' + id + ']');
      await env.step('hover [' + id + ']');
      const third = await env.step('hover [' + id + ']');
      expect(third).toMatchObject({ done: false, truncated: true });
      expect(third.info['termination']).toBe('early_stop');
      expect(third.info['evaluation']).toBeDefined();

      await env.reset({ task_id: String(task.task_id), env: 'webarena' });
      const bad = await env.step('dance [1]');
      expect(bad.observation.last_action_error).toMatch(/^INVALID_ACTION: not a WebArena action/);
      await env.step('dance [2]');
      expect((await env.step('no')).info['termination']).toBe('early_stop');
    } finally {
      await env.close();
    }
    const short = new WebArenaEnv(envOptions({ maxSteps: 2 }));
    try {
      await short.reset({ task_id: String(task.task_id), env: 'webarena' });
      await short.step('scroll [down]');
      const last = await short.step('scroll [up]');
      expect(last).toMatchObject({ done: false, truncated: true });
      expect(last.info['termination']).toBeUndefined();
    } finally {
      await short.close();
    }
  });

  it('names an unresolved placeholder and a missing storage state', async () => {
    const noSites = new WebArenaEnv(envOptions({ sites: () => ({}) }));
    await expect(noSites.reset({ task_id: '0', env: 'webarena' })).rejects.toThrow(/__SHOPPING_ADMIN__/);
    await noSites.close();
    const withState = new Map(byId);
    withState.set('0', { ...byId.get('0')!, storage_state: './.auth/missing_state.json' });
    const env = new WebArenaEnv(envOptions({ tasks: withState, login: {}, authDir: '/tmp/nowhere' }));
    await expect(env.reset({ task_id: '0', env: 'webarena' })).rejects.toThrow('/tmp/nowhere/.auth/missing_state.json');
    await env.close();
  });

  it('logs in through the site form and writes the storage state the task names, then reuses it', async () => {
    const authDir = mkdtempSync(join(tmpdir(), 'dreambridge-auth-'));
    const withState = new Map(byId);
    withState.set('0', { ...byId.get('0')!, storage_state: './.auth/shopping_admin_state.json' });
    // One namespace for both episodes, so the saved cookie is valid for the second one too.
    const env = new WebArenaEnv(envOptions({ tasks: withState, authDir, sites: () => fixture.sitesFor('shared-login') }));
    try {
      const first = await env.reset({ task_id: '0', env: 'webarena' });
      expect(first.text).not.toMatch(/textbox 'Password'/);
      const { existsSync, readFileSync } = await import('node:fs');
      const state = join(authDir, '.auth', 'shopping_admin_state.json');
      expect(existsSync(state)).toBe(true);
      expect(JSON.parse(readFileSync(state, 'utf8')).cookies.length).toBeGreaterThan(0);
      const noLogin = new WebArenaEnv(envOptions({ tasks: withState, authDir, login: {}, sites: () => fixture.sitesFor('shared-login') }));
      const second = await noLogin.reset({ task_id: '0', env: 'webarena' });
      expect(second.text).not.toMatch(/textbox 'Password'/);
      await noLogin.close();
    } finally {
      await env.close();
    }
  });

  it('an evaluator that fails scores 0 with the reason, never a crashed episode', async () => {
    const fuzzyTask = tasks.find((t) => Array.isArray(t.eval.reference_answers?.fuzzy_match))!;
    const env = new WebArenaEnv(envOptions({ judge: createOpenAIJudge({ model: 'x', baseURL: 'http://127.0.0.1:9/v1', apiKey: 'k', timeoutMs: 2000, maxRetries: 0 }) }));
    try {
      await env.reset({ task_id: String(fuzzyTask.task_id), env: 'webarena' });
      const step = await env.step(`stop [${paraphrases[String(fuzzyTask.task_id)]!}]`);
      expect(step.done).toBe(true);
      expect(step.reward).toBe(0);
      expect(JSON.stringify(step.info['evaluation'])).toMatch(/evaluation failed|JUDGE_FAILED|judge/i);
    } finally {
      await env.close();
    }
  });
});
