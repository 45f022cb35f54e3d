import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScriptedReplyRequest, ScriptedRequest } from '../fixtures/llm/scripted-llm-server.js';
import { annotationLineSchema, annotationManifestSchema, type AnnotationLine } from '../harness/annotate/annotation-line.js';
import type { Transition } from '../src/protocol/index.js';
import { runCli } from './helpers/cli.js';
import { readTransitions } from './helpers/kill-resume.js';
import { useLlmServers } from './helpers/llm-servers.js';

const tmp = (name: string): string => mkdtempSync(join(tmpdir(), `dreambridge-${name}-`));
const startLlm = useLlmServers();

const readLines = (dir: string): AnnotationLine[] =>
  readFileSync(join(dir, 'annotations.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => annotationLineSchema.parse(JSON.parse(l)));
const readManifest = (dir: string) => annotationManifestSchema.parse(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
const idOf = (t: Pick<Transition, 'run_id' | 'episode_id' | 'step'>): string => `${t.run_id}/${t.episode_id}/${t.step}`;

/** The first user message of a request: the item's prompt (re-asks add turns after it). */
const firstUser = (r: { messages: Array<{ role: string; content: string }> }): string => r.messages.find((m) => m.role === 'user')?.content ?? '';
const itemIdOf = (r: { messages: Array<{ role: string; content: string }> }): string => /<(?:transition|state_with_alternatives) id="([^"]+)">/.exec(firstUser(r))?.[1] ?? '';
const chats = (requests: readonly ScriptedRequest[]): ScriptedRequest[] => requests.filter((r) => r.route === 'chat');

/** A well-behaved teacher: it explains the item by id and repeats the reward it was shown. */
const goodReasoning = (r: ScriptedReplyRequest): string => {
  const reward = /<real_reward>([^<]*)<\/real_reward>/.exec(firstUser(r))?.[1] ?? '?';
  return `<reasoning>Explained ${itemIdOf(r)}: the action leads to the recorded page.</reasoning>\n<reward>${reward}</reward>`;
};

let seeds: string;
let seedTransitions: Transition[];

beforeAll(async () => {
  seeds = join(tmp('annotate-seeds'), 'run');
  const collected = await runCli(['collect', '--env', 'webshop', '--fixture', '--episodes', '3', '--out', seeds]);
  expect(collected.code, collected.stderr).toBe(0);
  seedTransitions = readTransitions(seeds);
  expect(seedTransitions.length).toBeGreaterThanOrEqual(6);
}, 180_000);

describe('dreambridge annotate --kind reasoning', () => {
  it('annotates every real transition of a collected WebShop run, each prompt holding its context and real outcome, every answer recorded', async () => {
    const llm = await startLlm({ defaultReply: goodReasoning });
    const out = join(tmp('annotate-reasoning'), 'ann');
    const result = await runCli(['annotate', '--kind', 'reasoning', '--teacher', 'openai:teacher-1', '--teacher-base-url', llm.url, '--from', seeds, '--out', out, '--concurrency', '3']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`${seedTransitions.length}/${seedTransitions.length} items annotated (${seedTransitions.length} ok, 0 failed)`);

    const lines = readLines(out);
    expect(lines.map((l) => l.item_id).sort()).toEqual(seedTransitions.map(idOf).sort());
    const requests = chats(llm.requests);
    expect(requests).toHaveLength(seedTransitions.length);
    for (const t of seedTransitions) {
      const line = lines.find((l) => l.item_id === idOf(t))!;
      expect(line).toMatchObject({ kind: 'reasoning', status: 'ok', attempts: 1, source: { run_dir: seeds, run_id: t.run_id, episode_id: t.episode_id, step: t.step } });
      expect(line.annotation).toBe(`Explained ${idOf(t)}: the action leads to the recorded page.`);
      const request = requests.find((r) => itemIdOf(r) === idOf(t))!;
      expect(line.raw).toEqual([goodReasoning({ messages: request.messages } as ScriptedReplyRequest)]);
      expect(line.usage.prompt_tokens).toBeGreaterThan(0);
      expect((request.body as { model: string }).model).toBe('teacher-1');
      // The context the experience model sees, plus the real outcome.
      const prompt = firstUser(request);
      expect(prompt).toContain(t.state.instruction);
      expect(prompt).toContain(`<current_state page_type="${t.state.page_type}">\n${t.state.text}\n</current_state>`);
      expect(prompt).toContain(`<action>${t.action}</action>`);
      expect(prompt).toContain(`<real_next_state>\n${t.next_state.text}\n</real_next_state>`);
      expect(prompt).toContain(`<real_reward>${Number(t.reward.toFixed(4))}</real_reward>`);
      expect(prompt).toContain(`<history steps="${Math.min(t.step, 4)}">`);
      const earlier = seedTransitions.filter((s) => s.episode_id === t.episode_id && s.step < t.step);
      for (const s of earlier.slice(-4)) expect(prompt).toContain(`action: ${s.action}`);
      // Demonstrations: retrieved from the other episodes only, recorded on the line as shown.
      const shown = [...prompt.matchAll(/<demonstration id="([^"]+)"/g)].map((m) => m[1]);
      expect(shown).toEqual(line.retrieved);
      expect(shown.length).toBeGreaterThan(0);
      expect(shown.length).toBeLessThanOrEqual(4);
      for (const id of shown) expect(id!.startsWith(`${t.run_id}/${t.episode_id}/`), `${id} is of the annotated episode`).toBe(false);
      expect(request.messages[0]?.role).toBe('system');
      expect(request.messages[0]?.content).toContain('<reasoning>');
    }

    const manifest = readManifest(out);
    const usage = lines.reduce((u, l) => ({ prompt_tokens: u.prompt_tokens + l.usage.prompt_tokens, completion_tokens: u.completion_tokens + l.usage.completion_tokens }), { prompt_tokens: 0, completion_tokens: 0 });
    expect(manifest).toMatchObject({
      kind: 'annotations',
      annotation_kind: 'reasoning',
      teacher: { model: 'teacher-1', base_url: llm.url },
      counts: { items: seedTransitions.length, ok: seedTransitions.length, failed: 0 },
      usage,
      complete: true,
    });
    expect(manifest.sources).toEqual([{ run_dir: seeds, run_id: JSON.parse(readFileSync(join(seeds, 'manifest.json'), 'utf8')).run_id as string, manifest_sha256: sha256(join(seeds, 'manifest.json')) }]);
    expect(Object.keys(manifest.prompt_hashes).sort()).toEqual(['reasoning-demonstration.md', 'reasoning-history-step.md', 'reasoning-reask.md', 'reasoning-system.md', 'reasoning-user.md']);
    expect(manifest.command_line.slice(0, 2)).toEqual(['dreambridge', 'annotate']);
    expect(manifest.versions['dreambridge']).toMatch(/^\d+\.\d+\.\d+/);
  }, 120_000);

  it('retrieves through an embeddings endpoint with --embed openai:NAME, as the experience model can, still never from the annotated episode', async () => {
    const llm = await startLlm({ defaultReply: goodReasoning });
    const out = join(tmp('annotate-embed'), 'ann');
    const result = await runCli(['annotate', '--kind', 'reasoning', '--teacher', 'openai:teacher-1', '--teacher-base-url', llm.url, '--embed', 'openai:emb', '--embed-base-url', llm.url, '--from', seeds, '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(llm.requests.filter((r) => r.route === 'embeddings').length).toBeGreaterThan(0);
    const lines = readLines(out);
    expect(lines).toHaveLength(seedTransitions.length);
    for (const line of lines) {
      expect(line.retrieved?.length).toBeGreaterThan(0);
      for (const id of line.retrieved ?? []) expect(id.startsWith(`${line.source.run_id}/${line.source.episode_id}/`)).toBe(false);
    }
    expect(readManifest(out).options).toMatchObject({ embed: 'openai:emb' });
  }, 120_000);

  it('re-asks a garbage or reward-contradicting answer with the reason, then records an item that never answers well as failed with every raw text', async () => {
    const [garbage, contradicting, recovering] = [seedTransitions[0]!, seedTransitions[1]!, seedTransitions[2]!].map(idOf);
    const junk = (n: number): string => `I think the page changes somehow (attempt ${n}).`;
    const llm = await startLlm({
      defaultReply: (r) => {
        const id = itemIdOf(r);
        const attempt = r.messages.filter((m) => m.role === 'assistant').length + 1;
        if (id === garbage) return junk(attempt);
        if (id === contradicting && attempt === 1) return '<reasoning>This buys the item and completes the task, so the reward is 1.</reasoning><reward>0</reward>';
        if (id === recovering && attempt === 1) return '<reasoning>The search opens';
        return goodReasoning(r);
      },
    });
    const out = join(tmp('annotate-garbage'), 'ann');
    const result = await runCli(['annotate', '--kind', 'reasoning', '--teacher', 'openai:teacher-1', '--teacher-base-url', llm.url, '--from', seeds, '--out', out, '--max-reasks', '2']);
    expect(result.code, result.stderr).toBe(0);
    const lines = readLines(out);
    expect(lines).toHaveLength(seedTransitions.length);

    const failed = lines.find((l) => l.item_id === garbage)!;
    expect(failed).toMatchObject({ status: 'failed', annotation: null, attempts: 3, raw: [junk(1), junk(2), junk(3)], error: 'no <reasoning> tag in the answer' });
    const contradicted = lines.find((l) => l.item_id === contradicting)!;
    expect(contradicted).toMatchObject({ status: 'ok', attempts: 2, annotation: `Explained ${contradicting}: the action leads to the recorded page.` });
    expect(contradicted.raw[0]).toContain('the reward is 1');
    expect(lines.find((l) => l.item_id === recovering)).toMatchObject({ status: 'ok', attempts: 2, raw: ['<reasoning>The search opens', expect.stringContaining('Explained') as unknown as string] });
    for (const l of lines.filter((l) => ![garbage, contradicting, recovering].includes(l.item_id))) expect(l).toMatchObject({ status: 'ok', attempts: 1 });

    // The re-ask shows the teacher its answer and what is wrong with it.
    const reask = chats(llm.requests).find((r) => itemIdOf(r) === contradicting && r.messages.length === 4)!;
    expect(reask.messages[2]).toEqual({ role: 'assistant', content: contradicted.raw[0] });
    expect(reask.messages[3]?.content).toContain('the reasoning states a reward of 1, but the recorded reward is 0');
    // Every request is an item's first ask or one of its re-asks: items + re-asks, nothing else.
    const reasks = lines.reduce((n, l) => n + l.attempts - 1, 0);
    expect(reasks).toBe(4);
    expect(chats(llm.requests)).toHaveLength(lines.length + reasks);
    expect(readManifest(out).counts).toMatchObject({ items: lines.length, ok: lines.length - 1, failed: 1 });
  }, 120_000);

  it('refuses bad input with one line naming it', async () => {
    const llm = await startLlm({ defaultReply: goodReasoning });
    const notRun = tmp('annotate-not-a-run');
    const missing = await runCli(['annotate', '--kind', 'reasoning', '--teacher', 'openai:t', '--teacher-base-url', llm.url, '--from', notRun, '--out', join(notRun, 'ann')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`error CONFIG_INVALID: --from ${notRun}: not a run directory (no manifest.json)`);
    const teacher = await runCli(['annotate', '--kind', 'reasoning', '--teacher', 'gpt-4o', '--from', seeds, '--out', join(tmp('annotate-bad'), 'ann')]);
    expect(teacher.stderr).toContain('error CONFIG_INVALID: --teacher gpt-4o: expected openai:NAME');
    const kind = await runCli(['annotate', '--kind', 'summary', '--teacher', 'openai:t', '--from', seeds, '--out', join(tmp('annotate-bad'), 'ann')]);
    expect(kind.stderr).toMatch(/error CONFIG_INVALID: .*--kind.*summary/);
    const key = await runCli(['annotate', '--kind', 'reasoning', '--teacher', 'openai:t', '--teacher-api-key-env', 'DREAMBRIDGE_NO_SUCH_KEY', '--from', seeds, '--out', join(tmp('annotate-bad'), 'ann')]);
    expect(key.stderr).toContain('error CONFIG_INVALID: --teacher-api-key-env DREAMBRIDGE_NO_SUCH_KEY: the variable DREAMBRIDGE_NO_SUCH_KEY is not set');
    const reflection = await runCli(['annotate', '--kind', 'reflection', '--teacher', 'openai:t', '--teacher-base-url', llm.url, '--from', seeds, '--out', join(tmp('annotate-bad'), 'ann')]);
    expect(reflection.stderr).toContain('no expert states with branches (reflection reads run directories written by `dreambridge branch`)');
    expect(chats(llm.requests)).toHaveLength(0);
  }, 120_000);
});

describe('dreambridge annotate --kind reflection', () => {
  it("annotates each branched expert state of a real branch run: the teacher sees the state, the expert's action and the alternatives with their real outcomes", async () => {
    const branched = join(tmp('annotate-branch'), 'run');
    const branch = await runCli(['branch', '--env', 'webshop', '--fixture', '--from', seeds, '--k', '2', '--max-steps-expert', '15', '--concurrency', '2', '--out', branched], { timeoutMs: 240_000 });
    expect(branch.code, branch.stderr).toBe(0);
    const transitions = readTransitions(branched);
    const branchOf = (t: Transition) => t.info['branch'] as { of_episode: string; of_step: number } | undefined;
    const alternatives = transitions.filter((t) => branchOf(t));
    const states = new Map<string, Transition[]>();
    for (const t of alternatives) states.set(`${branchOf(t)!.of_episode}/${branchOf(t)!.of_step}`, [...(states.get(`${branchOf(t)!.of_episode}/${branchOf(t)!.of_step}`) ?? []), t]);
    expect(states.size).toBeGreaterThanOrEqual(2);

    const reflect = (r: ScriptedReplyRequest): string => `<reflection>At ${itemIdOf(r)} the expert's action reaches the goal page; the alternatives do not.</reflection>`;
    const llm = await startLlm({ defaultReply: reflect });
    const out = join(tmp('annotate-reflection'), 'ann');
    const result = await runCli(['annotate', '--kind', 'reflection', '--teacher', 'openai:teacher-2', '--teacher-base-url', llm.url, '--from', branched, '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    const lines = readLines(out);
    expect(lines).toHaveLength(states.size);
    expect(chats(llm.requests)).toHaveLength(states.size);
    for (const [key, alts] of states) {
      const [episodeId, step] = [key.slice(0, key.lastIndexOf('/')), Number(key.slice(key.lastIndexOf('/') + 1))];
      const expert = transitions.find((t) => !branchOf(t) && t.episode_id === episodeId && t.step === step)!;
      const line = lines.find((l) => l.item_id === idOf(expert))!;
      expect(line).toMatchObject({
        kind: 'reflection', status: 'ok', attempts: 1, expert_action: expert.action, state: expert.state.text,
        source: { run_dir: branched, run_id: expert.run_id, episode_id: expert.episode_id, step: expert.step },
        annotation: `At ${idOf(expert)} the expert's action reaches the goal page; the alternatives do not.`,
      });
      expect(line.alternatives?.map((a) => a.action).sort()).toEqual(alts.map((a) => a.action).sort());
      const prompt = firstUser(chats(llm.requests).find((r) => itemIdOf(r) === idOf(expert))!);
      expect(prompt).toContain(`<current_state page_type="${expert.state.page_type}">\n${expert.state.text}\n</current_state>`);
      expect(prompt).toContain(`<expert_action>${expert.action}</expert_action>`);
      expect(prompt).toContain(expert.next_state.text);
      for (const a of alts) {
        expect(prompt).toContain(`action: ${a.action}`);
        expect(prompt).toContain(a.next_state.text);
      }
    }
    const manifest = readManifest(out);
    expect(manifest).toMatchObject({ annotation_kind: 'reflection', teacher: { model: 'teacher-2' }, counts: { items: states.size, ok: states.size, failed: 0 } });
    expect(Object.keys(manifest.prompt_hashes).sort()).toEqual(['reflection-alternative.md', 'reflection-reask.md', 'reflection-system.md', 'reflection-user.md']);
    expect(manifest.sources[0]).toMatchObject({ run_dir: branched, manifest_sha256: sha256(join(branched, 'manifest.json')) });

    // Reasoning over the same branch directory: an alternative's history is the expert's prefix, and
    // retrieval leaves out the expert episode and every alternative branched from it.
    const teacher = await startLlm({ defaultReply: goodReasoning });
    const reasoned = join(tmp('annotate-branch-reasoning'), 'ann');
    const reasoning = await runCli(['annotate', '--kind', 'reasoning', '--teacher', 'openai:teacher-1', '--teacher-base-url', teacher.url, '--from', branched, '--out', reasoned]);
    expect(reasoning.code, reasoning.stderr).toBe(0);
    expect(readLines(reasoned)).toHaveLength(transitions.length);
    for (const alt of alternatives) {
      const { of_episode: expertEpisode, of_step: step } = branchOf(alt)!;
      const line = readLines(reasoned).find((l) => l.item_id === idOf(alt))!;
      const prompt = firstUser(chats(teacher.requests).find((r) => itemIdOf(r) === idOf(alt))!);
      expect(prompt).toContain(`<history steps="${Math.min(step, 4)}">`);
      for (const s of transitions.filter((t) => !branchOf(t) && t.episode_id === expertEpisode && t.step < step)) expect(prompt).toContain(`action: ${s.action}`);
      expect(line.retrieved?.length).toBeGreaterThan(0);
      for (const id of line.retrieved ?? []) {
        const shown = transitions.find((t) => idOf(t) === id)!;
        expect(shown.episode_id === expertEpisode || branchOf(shown)?.of_episode === expertEpisode, `${id} shown for ${line.item_id}`).toBe(false);
      }
    }
  }, 300_000);
});
