import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createWebShopProfile } from '../adapters/webshop/webshop-profile.js';
import { createDreamSetup } from '../src/dream/dream-setup.js';
import { episodeSchema, transitionSchema, type Transition } from '../src/protocol/index.js';
import { startScriptedLlmServer } from '../fixtures/llm/scripted-llm-server.js';
import { replyForPreset } from '../fixtures/llm/webshop-replies.js';
import { runCli } from './helpers/cli.js';

const tmp = (name: string): string => mkdtempSync(join(tmpdir(), `dreambridge-${name}-`));
const jsonl = (file: string): unknown[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as unknown);

let seeds: string;

beforeAll(async () => {
  seeds = join(tmp('seeds'), 'run');
  const collected = await runCli(['collect', '--env', 'webshop', '--fixture', '--episodes', '8', '--concurrency', '2', '--out', seeds]);
  expect(collected.code, collected.stderr).toBe(0);
}, 120_000);

describe('dreambridge run --schedule dream', () => {
  it('dreams episodes on held-out goals from recorded seeds, in the real observation format, with no site', async () => {
    const out = join(tmp('dream'), 'run');
    const result = await runCli(['run', '--env', 'webshop', '--schedule', 'dream', '--buffer', seeds, '--fixture', '--split', 'eval', '--episodes', '6', '--group', '2', '--concurrency', '3', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/schedule dream: episodes 6, .*0 real interactions/);
    expect(result.stdout).toMatch(/groups \(3 tasks with ≥ 2 rollouts\)/);
    const transitions = jsonl(join(out, 'transitions.jsonl')).map((l) => transitionSchema.parse(l));
    const episodes = jsonl(join(out, 'episodes.jsonl')).map((l) => episodeSchema.parse(l));
    expect(episodes).toHaveLength(6);
    expect(new Set(episodes.map((e) => e.task_id))).toEqual(new Set(['500', '501', '502']));
    expect(transitions.length).toBeGreaterThan(6);
    const profile = createWebShopProfile();
    for (const t of transitions) {
      expect(t.source).toBe('dream');
      expect(t.next_state.source).toBe('dream');
      // The same parser as the real side reads page type and actions from the dreamed text.
      expect(t.next_state.page_type).toBe(profile.pageType(t.next_state.text));
      expect(t.next_state.available_actions).toEqual(profile.availableActions(t.next_state.text));
      expect(t.info['model_kind']).toBe('retrieval');
      expect(t.info['lookup_table']).toBe(true);
      expect((t.info.retrieved ?? []).length).toBeGreaterThan(0);
      // The dreamed page shows this episode's instruction, not the recorded one's.
      if (t.next_state.text.includes('Instruction:')) expect(t.next_state.text).toContain(t.state.instruction);
    }
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { models: { experience_model: { kind: string; note: string } }; result: { groups: unknown[] } };
    expect(manifest.models.experience_model.kind).toBe('retrieval');
    expect(manifest.models.experience_model.note).toMatch(/lookup table/);
    expect(manifest.result.groups).toHaveLength(3);
  }, 60_000);

  it('dreams with an LLM experience model and an LLM policy over OpenAI-compatible endpoints, and accounts for tokens', async () => {
    const llm = await startScriptedLlmServer({ defaultReply: replyForPreset('webshop') });
    try {
      const out = join(tmp('dream-llm'), 'run');
      const result = await runCli([
        'run', '--env', 'webshop', '--buffer', seeds, '--fixture', '--split', 'eval', '--episodes', '2', '--max-steps', '4',
        '--model', 'openai:scripted', '--model-base-url', llm.url, '--policy', 'openai:scripted', '--policy-base-url', llm.url, '--out', out,
      ]);
      expect(result.code, result.stderr).toBe(0);
      const transitions = jsonl(join(out, 'transitions.jsonl')).map((l) => transitionSchema.parse(l));
      expect(transitions.length).toBeGreaterThan(0);
      for (const t of transitions) {
        expect(t.info['model_kind']).toBe('llm');
        expect(t.info['model']).toBe('openai:scripted');
        expect((t.info['usage'] as { total_tokens: number }).total_tokens).toBeGreaterThan(0);
      }
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { models: { experience_model: { kind: string; prompt_hash: string } }; policy: { kind: string }; result: { model_usage: { calls: number; total_tokens: number } } };
      expect(manifest.models.experience_model.kind).toBe('llm');
      expect(manifest.models.experience_model.prompt_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(manifest.policy.kind).toBe('llm');
      const perStep = transitions.reduce((sum, t) => sum + (t.info['usage'] as { total_tokens: number }).total_tokens, 0);
      expect(manifest.result.model_usage.total_tokens).toBe(perStep);
      // The experience model's prompt carried the instruction and k retrieved demonstrations.
      const modelPrompts = llm.requests.filter((r) => r.lastUserMessage.includes('<demonstration'));
      expect(modelPrompts.length).toBeGreaterThan(0);
    } finally {
      await llm.close();
    }
  }, 60_000);

  it('takes tasks from a task file, and by default from the buffer', async () => {
    const dir = tmp('taskfile');
    const file = join(dir, 'tasks.jsonl');
    writeFileSync(file, `${JSON.stringify({ task_id: 'custom-1', instruction: 'i need a pair of blue running shoes, and price lower than 60.00 dollars' })}\n`);
    const fromFile = await runCli(['run', '--env', 'webshop', '--buffer', seeds, '--task-file', file, '--episodes', '2', '--out', join(dir, 'a')]);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    const first = transitionSchema.parse(jsonl(join(dir, 'a', 'transitions.jsonl'))[0]);
    expect(first.task_id).toBe('custom-1');
    expect(first.state.text).toBe('WebShop [SEP] Instruction: [SEP] i need a pair of blue running shoes, and price lower than 60.00 dollars [SEP] Search');
    const fromBuffer = await runCli(['run', '--env', 'webshop', '--buffer', join(seeds, 'transitions.jsonl'), '--episodes', '3', '--out', join(dir, 'b')]);
    expect(fromBuffer.code, fromBuffer.stderr).toBe(0);
    const recorded = new Set((jsonl(join(seeds, 'episodes.jsonl')) as Array<{ task_id: string }>).map((e) => e.task_id));
    for (const e of jsonl(join(dir, 'b', 'episodes.jsonl')) as Array<{ task_id: string }>) expect(recorded.has(e.task_id)).toBe(true);
  }, 60_000);

  it('refuses bad configurations with a message naming what to give', async () => {
    const out = (name: string) => join(tmp('bad'), name);
    const noBuffer = await runCli(['run', '--env', 'webshop', '--schedule', 'dream', '--fixture', '--out', out('a')]);
    expect(noBuffer.code).toBe(1);
    expect(noBuffer.stderr).toMatch(/error CONFIG_INVALID: .*--buffer/);
    const s2r = await runCli(['run', '--env', 'webshop', '--schedule', 's2r', '--fixture', '--buffer', seeds, '--out', out('b')]);
    expect(s2r.stderr).toMatch(/error CONFIG_INVALID: --schedule s2r needs --dream-episodes/);
    const realNoSite = await runCli(['run', '--env', 'webshop', '--schedule', 'real', '--out', out('c')]);
    expect(realNoSite.stderr).toMatch(/error CONFIG_INVALID: .*--fixture .*--url/);
    const mix = await runCli(['run', '--env', 'webshop', '--schedule', 'mix:1.5', '--fixture', '--out', out('d')]);
    expect(mix.stderr).toMatch(/mix:1.5: P must be a number from 0 to 1/);
    const missing = await runCli(['run', '--env', 'webshop', '--buffer', '/nonexistent/buffer', '--out', out('e')]);
    expect(missing.stderr).toMatch(/--buffer \/nonexistent\/buffer: no such file or directory/);
  }, 60_000);
});

describe('the retrieval experience model', () => {
  it('reproduces recorded transitions exactly on exact (state key, action) matches', async () => {
    const profile = createWebShopProfile();
    const setup = await createDreamSetup({ env: 'webshop', profile, buffers: [seeds] });
    const recorded = [...setup.buffer.values()];
    // Keys from the text alone: where two recorded steps share a key but differ in outcome the
    // lookup is ambiguous by construction, so only unambiguous keys are checked.
    const outcomes = new Map<string, Set<string>>();
    const keyOf = (t: Transition) => `${profile.canonicalKey({ text: t.state.text }).key}\u0000${t.action.toLowerCase()}`;
    for (const t of recorded) outcomes.set(keyOf(t), new Set([...(outcomes.get(keyOf(t)) ?? []), `${t.next_state.text}|${t.reward}|${t.done}`]));
    let checked = 0;
    for (const t of recorded) {
      if ((outcomes.get(keyOf(t))?.size ?? 0) !== 1) continue;
      const { url: _url, ...dreamState } = t.state;
      const prediction = await setup.model.predict({ task: { task_id: t.task_id, env: 'webshop' }, instruction: t.state.instruction, history: [], state: { ...dreamState, source: 'dream' }, action: t.action });
      expect(prediction.next_state).toBe(t.next_state.text);
      expect(prediction.reward).toBe(t.reward);
      expect(prediction.done).toBe(t.done);
      expect(prediction.info?.['match']).toBe('exact');
      expect(prediction.info?.['similarity']).toBe(1);
      expect(prediction.retrieved.length).toBeGreaterThan(0);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(recorded.length / 2);
    await setup.close();
  });

  it('answers an unseen action kind with a clear error that ends the episode, never an invented state', async () => {
    const profile = createWebShopProfile();
    const setup = await createDreamSetup({ env: 'webshop', profile, buffers: [seeds] });
    const env = await setup.factory.create();
    await env.reset({ task_id: '9', env: 'webshop', instruction: 'i want a lamp' });
    // Drop every recorded search: the lookup table then has nothing to answer a search with.
    for (const t of [...setup.buffer.values()]) if (t.action.startsWith('search')) setup.buffer.remove(t.id);
    const step = await env.step('search[lamp]');
    expect(step.done).toBe(true);
    expect(step.info['termination']).toBe('error');
    expect(String(step.info.error)).toMatch(/^RETRIEVAL_NO_MATCH: .*"search"/);
    expect(step.observation.text).toBe('WebShop [SEP] Instruction: [SEP] i want a lamp [SEP] Search');
    await setup.close();
  });

  it('grows with the run: recorded transitions are retrievable at once', async () => {
    const profile = createWebShopProfile();
    const setup = await createDreamSetup({ env: 'webshop', profile, buffers: [seeds] });
    const before = setup.buffer.size;
    const line = transitionSchema.parse(jsonl(join(seeds, 'transitions.jsonl'))[0]);
    setup.record({ ...line, run_id: 'later', episode_id: 'later-1', action: 'search[a brand new query]', next_state: { ...line.next_state, text: `${line.next_state.text} [SEP] new` } });
    expect(setup.buffer.size).toBe(before + 1);
    const prediction = await setup.model.predict({ task: { task_id: line.task_id, env: 'webshop' }, instruction: line.state.instruction, history: [], state: { ...line.state, source: 'dream' }, action: 'search[a brand new query]' });
    expect(prediction.next_state.endsWith('[SEP] new')).toBe(true);
    await setup.close();
  });
});
