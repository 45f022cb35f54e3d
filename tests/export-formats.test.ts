import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportSiteOf } from '../cli/export-site.js';
import type { ExportCard } from '../harness/export/export-card.js';
import type { ExportFormat } from '../harness/export/export-format.js';
import type { ExportFilters } from '../harness/export/export-selection.js';
import { runExport } from '../harness/export/run-export.js';
import { parseChatPolicyReply } from '../harness/policies/openai-chat-policy.js';
import { parseExperienceOutput } from '../src/dream/experience-output.js';
import type { Episode, Transition } from '../src/protocol/index.js';
import { writeAnnotationDir } from './helpers/annotation-dirs.js';
import { runCli } from './helpers/cli.js';
import { readEpisodeLines, readTransitions } from './helpers/kill-resume.js';
import { sharedFile } from './helpers/shared-data.js';
import { readAgentTraj, readEtoPairs, readEtoSft, readOpenAIChatJsonl, readShareGptViaDatasetInfo } from './helpers/trainer-format-readers.js';

const tmp = (name: string): string => mkdtempSync(join(tmpdir(), `dreambridge-${name}-`));

let root: string;
let seeds: string;
let random: string;
let testRun: string;
let branched: string;
let dream: string;
let reflections: string;
let reasoning: string;
const branchOf = (t: Transition): { of_episode: string; of_step: number; expert_action: string } | undefined =>
  t.info['branch'] as { of_episode: string; of_step: number; expert_action: string } | undefined;

const cli = async (args: string[]): Promise<void> => {
  const result = await runCli(args, { timeoutMs: 240_000 });
  expect(result.code, result.stderr).toBe(0);
};

beforeAll(async () => {
  root = tmp('export-formats');
  [seeds, random, testRun, branched, dream] = ['seeds', 'random', 'test', 'branch', 'dream'].map((n) => join(root, n)) as [string, string, string, string, string];
  // Heuristic experts and random rollouts of the same first train goals (successes and failures of one task), a test-split run.
  await cli(['collect', '--env', 'webshop', '--fixture', '--episodes', '6', '--concurrency', '2', '--out', seeds]);
  await cli(['collect', '--env', 'webshop', '--fixture', '--episodes', '6', '--policy', 'random', '--concurrency', '2', '--out', random]);
  await cli(['collect', '--env', 'webshop', '--fixture', '--episodes', '2', '--split', 'test', '--out', testRun]);
  await cli(['branch', '--env', 'webshop', '--fixture', '--from', seeds, '--k', '1', '--concurrency', '2', '--out', branched]);
  await cli(['run', '--env', 'webshop', '--schedule', 'dream', '--buffer', seeds, '--fixture', '--episodes', '2', '--out', dream]);
  const alternatives = readTransitions(branched).filter((t) => branchOf(t));
  const experts = readTransitions(branched).filter((t) => !branchOf(t));
  const states = [...new Map(alternatives.map((a) => [`${branchOf(a)!.of_episode}#${branchOf(a)!.of_step}`, a])).values()];
  reflections = writeAnnotationDir(
    join(root, 'reflections'),
    'reflection',
    [branched],
    states.map((a, i) => {
      const expert = experts.find((t) => t.episode_id === branchOf(a)!.of_episode && t.step === branchOf(a)!.of_step)!;
      return i === 0
        ? { transition: expert, runDir: branched, status: 'failed' as const, annotation: null }
        : { transition: expert, runDir: branched, status: 'ok' as const, annotation: `${expert.action} beats ${a.action}: it moves toward the goal.`, expertAction: expert.action };
    }),
  );
  reasoning = writeAnnotationDir(
    join(root, 'reasoning'),
    'reasoning',
    [seeds],
    readTransitions(seeds).map((t) => ({ transition: t, runDir: seeds, status: 'ok' as const, annotation: `why step ${t.step} goes where it does` })),
  );
}, 600_000);

const filters = (overrides: Partial<ExportFilters> = {}): ExportFilters => ({ splits: ['train'], onlySuccess: false, includeDream: false, ...overrides });
const exportTo = async (format: ExportFormat, from: string[], overrides: Partial<ExportFilters> = {}, name: string = format): Promise<{ file: string; card: ExportCard }> => {
  const file = join(tmp(`export-${name}`), `${name}.data`);
  const result = await runExport({ format, from, out: file, filters: filters(overrides), resolveSite: exportSiteOf, commandLine: ['dreambridge', 'export', '--format', format] });
  expect(JSON.parse(readFileSync(result.cardFile, 'utf8'))).toEqual(JSON.parse(JSON.stringify(result.card)));
  return { file, card: result.card };
};

/** Train episodes of the heuristic and random runs, each once (branch copies its experts). */
const trainEpisodes = (): Array<{ episode: Episode; steps: Transition[] }> =>
  [seeds, random].flatMap((dir) => {
    const ts = readTransitions(dir);
    return readEpisodeLines(dir).map((episode) => ({ episode, steps: ts.filter((t) => t.episode_id === episode.episode_id).sort((a, b) => a.step - b.step) }));
  });

describe('export: every format read back by a reader written from its specification', () => {
  it('messages: OpenAI chat JSONL, one line per step, the agent turn in the policy form', async () => {
    const { file, card } = await exportTo('messages', [seeds, random, branched, testRun]);
    const records = readOpenAIChatJsonl(file);
    const steps = trainEpisodes().flatMap((e) => e.steps);
    expect(records).toHaveLength(steps.length);
    records.forEach((messages, i) => {
      const t = steps[i]!;
      expect(messages.map((m) => m.role)).toEqual(['user', 'assistant']);
      expect(messages[0]!.content).toContain(`your current observation is: ${t.state.text}.\n`);
      const reply = parseChatPolicyReply(messages[1]!.content);
      expect(reply.ok && reply.action).toBe(t.action);
      expect(reply.thought ?? '').toBe(t.thought ?? '');
    });
    expect(card.counts.by_source).toEqual({ real: steps.length, dream: 0, human: 0, branch: 0 });
    // The branch run's copies of the experts and the test-split run are left out, and said so.
    expect(card.counts.skipped['task in split test (not named by --split)']).toBe(2);
    expect(card.counts.skipped[Object.keys(card.counts.skipped).find((k) => k.startsWith('duplicate'))!]).toBe(6);
  });

  it('iwm: state + action in, "Observation:\\n<next state>" out, with its own system prompt; experts and alternatives, real only unless --include-dream', async () => {
    const { file, card } = await exportTo('iwm', [seeds, branched, dream]);
    const records = readOpenAIChatJsonl(file);
    const expected = [...readTransitions(seeds), ...readTransitions(branched).filter((t) => branchOf(t))];
    expect(records).toHaveLength(expected.length);
    records.forEach((messages, i) => {
      const t = expected[i]!;
      expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant']);
      expect(messages[0]!.content).toMatch(/^You are a world model of WebShop/);
      expect(messages[1]!.content).toBe(`Current page:\n${t.state.text}\n\nAction: ${t.action}`);
      expect(messages[2]!.content).toBe(`Observation:\n${t.next_state.text}`);
    });
    expect(card.counts.by_source).toMatchObject({ real: readTransitions(seeds).length, branch: expected.length - readTransitions(seeds).length, dream: 0 });
    expect(card.counts.skipped['dreamed transition (no --include-dream)']).toBe(readTransitions(dream).length);
    expect(card.prompt_hashes['iwm-system.md']).toMatch(/^[0-9a-f]{64}$/);
    const withDream = await exportTo('iwm', [seeds, branched, dream], { includeDream: true }, 'iwm-dream');
    expect(readOpenAIChatJsonl(withDream.file)).toHaveLength(expected.length + readTransitions(dream).length);
    expect(withDream.card.counts.by_source.dream).toBe(readTransitions(dream).length);
  });

  it('reflection: the reflection followed by the expert action, for every ok annotation; failures counted', async () => {
    const { file, card } = await exportTo('reflection', [reflections]);
    const records = readOpenAIChatJsonl(file);
    const items = readFileSync(join(reflections, 'annotations.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { status: string; annotation: string; expert_action: string; state: string });
    const ok = items.filter((i) => i.status === 'ok');
    expect(records).toHaveLength(ok.length);
    records.forEach((messages, i) => {
      expect(messages[0]!.content).toContain(`your current observation is: ${ok[i]!.state}.\n`);
      expect(messages[1]!.content).toBe(`<think>${ok[i]!.annotation}</think><action>${ok[i]!.expert_action}</action>`);
      const reply = parseChatPolicyReply(messages[1]!.content);
      expect(reply.ok && reply.action).toBe(ok[i]!.expert_action);
    });
    expect(card.counts.skipped).toEqual({ 'reflection annotation failed': 1 });
    expect(card.sources.map((s) => s['kind'])).toEqual(['run', 'annotations']);
    // Named with the expert run first, the branch run's copies of its episodes are the duplicates: the annotations still find their states.
    const viaExperts = await exportTo('reflection', [seeds, reflections], {}, 'reflection-experts');
    expect(readOpenAIChatJsonl(viaExperts.file)).toEqual(records);
  });

  it("agenttraj: AgentGym's AgentTraj-L items webshop_<goal>, observations and ReAct turns with loss flags", async () => {
    const { file } = await exportTo('agenttraj', [seeds, random]);
    const items = readAgentTraj(file);
    const episodes = trainEpisodes();
    expect(items).toHaveLength(episodes.length);
    items.forEach((item, i) => {
      const e = episodes[i]!;
      expect(item.item_id).toBe(`webshop_${e.episode.task_id}`);
      expect(item.actions).toEqual(e.steps.map((t) => t.action));
      expect(item.conversations.filter((_, j) => j >= 2 && j % 2 === 0).map((c) => c.value)).toEqual(e.steps.map((t) => t.state.text));
    });
  });

  it('eto and eto-pairs: SFT trajectories with rewards, and success-over-failure pairs of the same task', async () => {
    const sft = readEtoSft((await exportTo('eto', [seeds, random])).file);
    const episodes = trainEpisodes();
    expect(sft.map((s) => s.reward)).toEqual(episodes.map((e) => e.episode.total_reward));
    expect(sft.map((s) => s.conversations.slice(2).filter((c) => c.from === 'human').map((c) => c.value))).toEqual(episodes.map((e) => e.steps.map((t) => `Observation:\n${t.state.text}`)));
    const { file, card } = await exportTo('eto-pairs', [seeds, random]);
    const pairs = readEtoPairs(file);
    const wins = episodes.filter((e) => e.episode.success);
    const pairedTasks = new Set(wins.filter((w) => episodes.some((e) => !e.episode.success && e.episode.task_id === w.episode.task_id)).map((w) => w.episode.task_id));
    expect(pairedTasks.size).toBeGreaterThan(0);
    expect(new Set(pairs.map((p) => p.id.split('_')[0]))).toEqual(pairedTasks);
    for (const pair of pairs) {
      const task = pair.id.split('_')[0]!;
      const win = wins.find((w) => w.episode.task_id === task)!;
      expect(pair.chosen.filter((c) => c.from === 'gpt').map((c) => c.value.split('\nAction: ')[1])).toEqual(win.steps.map((t) => t.action));
      const rejectedActions = pair.rejected.filter((c) => c.from === 'gpt').map((c) => c.value.split('\nAction: ')[1]);
      expect(episodes.some((e) => !e.episode.success && e.episode.task_id === task && JSON.stringify(e.steps.map((t) => t.action)) === JSON.stringify(rejectedActions))).toBe(true);
      expect(pair.prompt.at(-1)!.value).toBe(`Observation:\n${win.steps[0]!.state.text}`);
    }
    expect(card.counts.records).toBe(pairs.length);
    const refused = await runCli(['export', '--format', 'eto-pairs', '--from', seeds, '--only-success', '--out', join(tmp('pairs-refused'), 'p.json')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/error CONFIG_INVALID: --format eto-pairs pairs successful with failed trajectories/);
  });

  it('sharegpt: read through the LLaMA-Factory dataset_info.json entry written beside it (other entries kept)', async () => {
    const out = join(tmp('export-sharegpt'), 'webshop_sft.json');
    await cli(['export', '--format', 'sharegpt', '--from', seeds, random, '--out', out]);
    await cli(['export', '--format', 'sharegpt', '--from', seeds, '--only-success', '--out', join(dirname(out), 'webshop_wins.json')]);
    const records = readShareGptViaDatasetInfo(join(dirname(out), 'dataset_info.json'), 'webshop_sft', dirname(out));
    const episodes = trainEpisodes();
    expect(records).toHaveLength(episodes.length);
    records.forEach((r, i) => {
      expect(r.system).toContain('<think>');
      expect(r.turns.filter((t) => t.role === 'user').map((t) => t.content)).toEqual(episodes[i]!.steps.map((t) => t.state.text));
      expect(r.turns.filter((t) => t.role === 'assistant').map((t) => parseChatPolicyReply(t.content)).map((p) => p.ok && p.action)).toEqual(episodes[i]!.steps.map((t) => t.action));
    });
    expect(readShareGptViaDatasetInfo(join(dirname(out), 'dataset_info.json'), 'webshop_wins', dirname(out))).toHaveLength(episodes.filter((e) => e.episode.success).length);
  }, 60_000);
});

describe('export: one state text across formats', () => {
  it('the state of every step is the observation text the environment produced, the same in all formats', async () => {
    const episode = readEpisodeLines(seeds)[0]!;
    const steps = readTransitions(seeds).filter((t) => t.episode_id === episode.episode_id);
    const states = steps.map((t) => t.state.text);
    // This episode's records of the per-step formats: the ones about its task (each seed goal is a different task).
    const instruction = steps[0]!.state.instruction;
    const mine = (records: Array<Array<{ content: string }>>, marker = instruction): Array<Array<{ content: string }>> => records.filter((m) => m.some((x) => x.content.includes(marker)));
    const sftMarker = `<instruction>\n${instruction}\n</instruction>`;
    const found: Record<string, string[]> = {};
    const messages = readOpenAIChatJsonl((await exportTo('messages', [seeds])).file);
    found['messages'] = mine(messages, `Your task is to: ${instruction}.`).map((m) => /your current observation is: ([\s\S]*)\.\nYour admissible actions/.exec(m[0]!.content)![1]!);
    const iwm = readOpenAIChatJsonl((await exportTo('iwm', [seeds])).file);
    found['iwm'] = mine(iwm).map((m) => /^Current page:\n([\s\S]*)\n\nAction: /.exec(m[1]!.content)![1]!);
    const sft = readOpenAIChatJsonl((await exportTo('experience-sft', [seeds, reasoning])).file);
    found['experience-sft'] = mine(sft, sftMarker).map((m) => /<current_state page_type="[^"]*">\n([\s\S]*)\n<\/current_state>/.exec(m[1]!.content)![1]!);
    found['agenttraj'] = readAgentTraj((await exportTo('agenttraj', [seeds])).file)[0]!.conversations.filter((c, j) => j >= 2 && c.from === 'human').map((c) => c.value);
    found['eto'] = readEtoSft((await exportTo('eto', [seeds])).file)[0]!.conversations.filter((c, j) => j >= 2 && c.from === 'human').map((c) => c.value.replace(/^Observation:\n/, ''));
    const sharegpt = await exportTo('sharegpt', [seeds]);
    found['sharegpt'] = readShareGptViaDatasetInfo(join(dirname(sharegpt.file), 'dataset_info.json'), 'sharegpt', dirname(sharegpt.file))[0]!.turns.filter((t) => t.role === 'user').map((t) => t.content);
    // experience-sft's targets carry the next states: the same texts as the next step's state.
    found['experience-sft next states'] = [steps[0]!.state.text, ...mine(sft, sftMarker).map((m) => (parseExperienceOutput(m[2]!.content) as { value: { nextState: string } }).value.nextState).slice(0, -1)];
    for (const [format, texts] of Object.entries(found)) expect(texts, format).toEqual(states);
  });
});

describe('export: filters and the dataset card', () => {
  it('test-split tasks only when --split names them; --only-success and --min-reward by episode', async () => {
    const train = await exportTo('eto', [seeds, testRun]);
    expect(train.card.counts.by_split).toEqual({ train: 6, eval: 0, test: 0, unsplit: 0 });
    const test = await exportTo('eto', [seeds, testRun], { splits: ['test'] }, 'eto-test');
    expect(readEtoSft(test.file).map((r) => r.id)).toEqual(readEpisodeLines(testRun).map((e) => e.task_id));
    expect(test.card.counts.by_split).toEqual({ train: 0, eval: 0, test: 2, unsplit: 0 });
    const all = await exportTo('eto', [seeds, testRun], { splits: ['train', 'eval', 'test', 'unsplit'] }, 'eto-all');
    expect(all.card.counts.records).toBe(8);
    const wins = await exportTo('eto', [seeds, random], { onlySuccess: true }, 'eto-wins');
    expect(readEtoSft(wins.file).map((r) => r.reward)).toEqual(trainEpisodes().filter((e) => e.episode.success).map((e) => e.episode.total_reward));
    const atLeast = await exportTo('iwm', [seeds, random], { minReward: 0.5 }, 'iwm-min');
    const kept = trainEpisodes().filter((e) => e.episode.total_reward >= 0.5);
    expect(atLeast.card.counts.records).toBe(kept.reduce((n, e) => n + e.steps.length, 0));
    expect(atLeast.card.counts.tasks).toBe(new Set(kept.map((e) => e.episode.task_id)).size);
  });

  it('the card: sources and their manifest hashes, counts per split and source, the reward distribution, prompt hashes, the command line; FILE.md beside it', async () => {
    const out = join(tmp('export-card'), 'experts.jsonl');
    await cli(['export', '--format', 'messages', '--from', seeds, random, '--out', out, '--min-reward', '0']);
    const card = JSON.parse(readFileSync(`${out}.card.json`, 'utf8')) as ExportCard;
    expect(card.command_line).toEqual(['dreambridge', 'export', '--format', 'messages', '--from', seeds, random, '--out', out, '--min-reward', '0']);
    expect(card.sources.map((s) => [s['dir'], s['manifest_sha256']])).toEqual(
      [seeds, random].map((d) => [d, createHash('sha256').update(readFileSync(join(d, 'manifest.json'))).digest('hex')]),
    );
    const steps = trainEpisodes().flatMap((e) => e.steps);
    expect(card.counts.records).toBe(steps.length);
    expect(card.filters).toEqual({ split: ['train'], only_success: false, min_reward: 0, include_dream: false });
    expect(card.reward.count).toBe(steps.length);
    expect(card.reward.mean).toBeCloseTo(steps.reduce((s, t) => s + t.reward, 0) / steps.length, 10);
    expect(card.reward.max).toBe(Math.max(...steps.map((t) => t.reward)));
    expect(card.reward.histogram.reduce((n, b) => n + b.count, 0)).toBe(steps.length);
    expect(card.reward.zero).toBe(steps.filter((t) => t.reward === 0).length);
    const md = readFileSync(`${out}.md`, 'utf8');
    expect(md).toContain(`${steps.length} records`);
    expect(md).toContain(seeds);
  }, 60_000);

  it("imported human sessions (named by session id, in no goal split) go into train exports as WebShop's training demonstrations, counted as human", async () => {
    const logs = sharedFile('webshop/human_demos');
    if (logs === undefined) return;
    const human = join(tmp('export-human'), 'run');
    await cli(['import', 'webshop-sessions', ...readdirSync(logs).sort().slice(0, 2).map((f) => join(logs, f)), '--out', human]);
    const steps = readTransitions(human);
    const { card } = await exportTo('iwm', [human], {}, 'iwm-human');
    expect(card.counts.records).toBe(steps.length);
    expect(card.counts.by_source).toEqual({ real: 0, dream: 0, human: steps.length, branch: 0 });
    expect(card.counts.by_split.unsplit).toBe(steps.length);
    const evalOnly = await exportTo('iwm', [human], { splits: ['eval'] }, 'iwm-human-eval');
    expect(evalOnly.card.counts.records).toBe(0);
  }, 60_000);

  it('a WebArena run: its tasks are in no train split, so they go in only with --split all, under their own instruction', async () => {
    const webarena = join(tmp('export-webarena'), 'run');
    await cli(['collect', '--env', 'webarena', '--fixture', '--episodes', '1', '--out', webarena]);
    expect((await exportTo('agenttraj', [webarena], {}, 'wa-train')).card.counts.records).toBe(0);
    const all = await exportTo('agenttraj', [webarena], { splits: ['train', 'eval', 'test', 'unsplit'] }, 'wa-all');
    const [item] = readAgentTraj(all.file);
    expect(item!.item_id).toBe(`webarena_${readEpisodeLines(webarena)[0]!.task_id}`);
    expect(item!.conversations[0]!.value).toMatch(/^You are an agent acting on WebArena/);
    expect(item!.conversations[0]!.value).not.toContain('search[keywords]');
    expect(item!.actions).toEqual(readTransitions(webarena).map((t) => t.action));
    expect(Object.keys(all.card.prompt_hashes)).toEqual(['react-instruction.md']);
    const webshop = await exportTo('agenttraj', [seeds], {}, 'ws-hashes');
    expect(Object.keys(webshop.card.prompt_hashes)).toEqual(['react-instruction-webshop.md']);
    expect(readAgentTraj(webshop.file)[0]!.conversations[0]!.value).toContain('search[keywords]');
  }, 120_000);

  it('a directory that is not a run or annotation directory is CONFIG_INVALID naming it', async () => {
    const empty = tmp('export-not-a-run');
    const result = await runCli(['export', '--format', 'messages', '--from', empty, '--out', join(empty, 'x.jsonl')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error CONFIG_INVALID: --from ${empty}: no manifest.json`);
    const broken = join(empty, 'annotations');
    mkdirSync(broken);
    writeFileSync(join(broken, 'manifest.json'), JSON.stringify({ kind: 'annotations', teacher: { model: 'x' }, sources: [] }));
    const bad = await runCli(['export', '--format', 'reflection', '--from', broken, '--out', join(empty, 'x.jsonl')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`error CONFIG_INVALID: ${join(broken, 'manifest.json')}: not an annotation manifest (annotation_kind:`);
    expect(existsSync(join(empty, 'x.jsonl'))).toBe(false);
    const format = await runCli(['export', '--format', 'alpaca', '--from', seeds, '--out', join(empty, 'x.jsonl')]);
    expect(format.code).toBe(1);
    expect(format.stderr).toMatch(/error CONFIG_INVALID: .*alpaca/);
  });
});
