import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportSiteOf } from '../cli/export-site.js';
import type { ExportCard } from '../harness/export/export-card.js';
import { createExportRetrieval } from '../harness/export/export-retrieval.js';
import { runExport, type ExportOptions } from '../harness/export/run-export.js';
import { createWebShopProfile } from '../adapters/webshop/webshop-profile.js';
import type { ExperienceRequest } from '../src/dream/experience-model.js';
import { parseExperienceOutput } from '../src/dream/experience-output.js';
import { OpenAIExperienceModel } from '../src/dream/openai-experience-model.js';
import type { Transition } from '../src/protocol/index.js';
import { writeAnnotationDir } from './helpers/annotation-dirs.js';
import { runCli } from './helpers/cli.js';
import { readTransitions } from './helpers/kill-resume.js';
import { useLlmServers } from './helpers/llm-servers.js';
import { readOpenAIChatJsonl } from './helpers/trainer-format-readers.js';

const tmp = (name: string): string => mkdtempSync(join(tmpdir(), `dreambridge-${name}-`));
const start = useLlmServers();
const profile = createWebShopProfile();

let seeds: string;
let reasoning: string;
let transitions: Transition[];
/** Transitions whose annotation is a failure (left out of the export). */
let failed: Set<Transition>;

const reasoningOf = (t: Transition): string => `Step ${t.step} of ${t.episode_id}: ${t.action} leads to the ${t.next_state.page_type ?? 'next'} page with reward ${t.reward}.`;

beforeAll(async () => {
  seeds = join(tmp('export-sft-seeds'), 'run');
  const collected = await runCli(['collect', '--env', 'webshop', '--fixture', '--episodes', '6', '--concurrency', '2', '--out', seeds]);
  expect(collected.code, collected.stderr).toBe(0);
  transitions = readTransitions(seeds);
  failed = new Set([transitions[1]!, transitions[7]!]);
  reasoning = writeAnnotationDir(
    join(tmp('export-sft-annotations'), 'reasoning'),
    'reasoning',
    [seeds],
    transitions.map((t) => (failed.has(t) ? { transition: t, runDir: seeds, status: 'failed' as const, annotation: null } : { transition: t, runDir: seeds, status: 'ok' as const, annotation: reasoningOf(t) })),
  );
}, 180_000);

const exportSft = (out: string, extra: Partial<ExportOptions> = {}) =>
  runExport({
    format: 'experience-sft',
    from: [seeds, reasoning],
    out,
    filters: { splits: ['train'], onlySuccess: false, includeDream: false },
    resolveSite: exportSiteOf,
    commandLine: ['test'],
    ...extra,
  });

/** The request the dream env makes at this step: the episode's earlier steps as history. */
const requestAt = (t: Transition): ExperienceRequest => ({
  task: { task_id: t.task_id, env: t.env, instruction: t.state.instruction },
  instruction: t.state.instruction,
  history: transitions.filter((h) => h.episode_id === t.episode_id && h.step < t.step).map((h) => ({ state: h.state, action: h.action, reward: h.reward })),
  state: t.state,
  action: t.action,
});

/** Drives the real experience model against the OpenAI-compatible fixture and returns the messages it sent for each transition. */
const sentByModel = async (kept: readonly Transition[], options: { k?: number; historyLength?: number } = {}): Promise<unknown[]> => {
  const server = await start({ defaultReply: '<reasoning>r</reasoning>\n<next_state>Instruction: [SEP] x</next_state>\n<reward>0</reward>\n<done>false</done>' });
  const retrieval = createExportRetrieval(transitions, profile);
  const sent: unknown[] = [];
  for (const t of kept) {
    const model = new OpenAIExperienceModel({ model: 'scripted', baseURL: server.url, apiKey: 'test', profile, maxRetries: 0, timeoutMs: 5000, retrieve: retrieval.for(t), ...options });
    const before = server.requests.length;
    await model.predict(requestAt(t));
    const request = server.requests.slice(before).find((r) => r.route === 'chat');
    sent.push((request?.body as { messages: unknown[] }).messages);
  }
  return sent;
};

describe('export --format experience-sft', () => {
  it("inputs equal, byte for byte, the prompt the OpenAI experience model sends for the same step; targets are the model's answer format", async () => {
    const out = join(tmp('export-sft'), 'sft.jsonl');
    const result = await exportSft(out);
    const records = readOpenAIChatJsonl(out);
    const kept = transitions.filter((t) => !failed.has(t));
    expect(records).toHaveLength(kept.length);
    const sent = await sentByModel(kept);
    const demonstrated = records.filter((r) => !r[1]!.content.includes('(none retrieved)'));
    // The retrieval is really there: most steps are shown demonstrations of other episodes.
    expect(demonstrated.length).toBeGreaterThan(kept.length / 2);
    records.forEach((messages, i) => {
      const t = kept[i]!;
      expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant']);
      expect(JSON.stringify(messages.slice(0, 2))).toBe(JSON.stringify(sent[i]));
      // Never its own answer: no demonstration of the step's own episode.
      expect(messages[1]!.content).not.toContain(`${t.run_id}/${t.episode_id}/`);
      const parsed = parseExperienceOutput(messages[2]!.content);
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      expect(parsed.warnings).toEqual([]);
      expect(parsed.value).toEqual({ reasoning: reasoningOf(t), nextState: t.next_state.text, reward: t.reward, done: t.done });
    });
    const card = JSON.parse(readFileSync(result.cardFile, 'utf8')) as ExportCard;
    expect(card.counts.records).toBe(kept.length);
    expect(card.counts.skipped).toEqual({ 'reasoning annotation failed': 2 });
    expect(card.counts.by_source).toEqual({ real: kept.length, dream: 0, human: 0, branch: 0 });
    expect(Object.keys(card.prompt_hashes)).toEqual(expect.arrayContaining(['experience-system.md', 'experience-user.md', 'annotate:annotate-reasoning-system.md']));
  }, 120_000);

  it('with --k and --history-length the inputs still equal what a model with those settings sends', async () => {
    const out = join(tmp('export-sft-k'), 'sft.jsonl');
    await exportSft(out, { k: 2, historyLength: 1 });
    const records = readOpenAIChatJsonl(out);
    const kept = transitions.filter((t) => !failed.has(t));
    const sent = await sentByModel(kept, { k: 2, historyLength: 1 });
    records.forEach((messages, i) => expect(JSON.stringify(messages.slice(0, 2))).toBe(JSON.stringify(sent[i])));
    expect(records.some((m) => m[1]!.content.includes('<demonstrations count="2">'))).toBe(true);
  }, 120_000);

  it('without a reasoning annotation directory the command fails with CONFIG_INVALID naming what to pass, and writes nothing', async () => {
    const out = join(tmp('export-sft-none'), 'sft.jsonl');
    const result = await runCli(['export', '--format', 'experience-sft', '--from', seeds, '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error CONFIG_INVALID: --format experience-sft needs an annotation directory of kind reasoning/);
    expect(() => readFileSync(out)).toThrow();
  }, 60_000);
});
