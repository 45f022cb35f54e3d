import type { FormatOutput } from './export-format.js';
import type { ExportFilters, RecordSource, SkipCounts, TaskSplit } from './export-selection.js';
import type { ExportSources } from './export-sources.js';

/** The dataset card written beside every export (`FILE.card.json`). */
export interface ExportCard {
  format: string;
  file: string;
  container: 'jsonl' | 'json';
  created_at: string;
  command_line: string[];
  filters: { split: readonly TaskSplit[]; only_success: boolean; min_reward: number | null; include_dream: boolean };
  sources: Array<Record<string, unknown>>;
  counts: {
    records: number;
    by_split: Record<TaskSplit, number>;
    by_source: Record<RecordSource, number>;
    tasks: number;
    skipped: SkipCounts;
  };
  reward: RewardDistribution;
  prompt_hashes: Record<string, string>;
  versions: Record<string, string>;
}

export interface RewardDistribution {
  count: number;
  mean: number | null;
  min: number | null;
  median: number | null;
  max: number | null;
  /** Records with reward exactly 0 and exactly 1. */
  zero: number;
  one: number;
  /** Ten equal bins over [0, 1] (the last closed); rewards outside go to the end bins. */
  histogram: Array<{ from: number; to: number; count: number }>;
}

/** Count, mean, extremes, median and a 10-bin histogram of the records' rewards. */
export const rewardDistribution = (rewards: readonly number[]): RewardDistribution => {
  const sorted = [...rewards].sort((a, b) => a - b);
  const bins = Array.from({ length: 10 }, (_, i) => ({ from: i / 10, to: (i + 1) / 10, count: 0 }));
  for (const r of sorted) {
    const bin = bins[Math.min(9, Math.max(0, Math.floor(r * 10)))];
    if (bin) bin.count += 1;
  }
  const n = sorted.length;
  const median = n === 0 ? null : n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  return {
    count: n,
    mean: n === 0 ? null : sorted.reduce((s, r) => s + r, 0) / n,
    min: sorted[0] ?? null,
    median,
    max: sorted.at(-1) ?? null,
    zero: sorted.filter((r) => r === 0).length,
    one: sorted.filter((r) => r === 1).length,
    histogram: bins,
  };
};

const sourceLines = (sources: ExportSources): Array<Record<string, unknown>> => [
  ...sources.runs.map((r) => ({
    kind: 'run',
    dir: r.dir,
    run_ids: r.manifest.run_ids,
    manifest_sha256: r.manifestSha256,
    command: r.manifest.command,
    env: r.manifest.site.env,
    transitions: r.transitions.length,
    episodes: r.episodes.length,
  })),
  ...sources.annotations.map((a) => ({
    kind: 'annotations',
    dir: a.dir,
    annotation_kind: a.manifest.annotation_kind,
    teacher: a.manifest.teacher,
    manifest_sha256: a.manifestSha256,
    items: a.items.length,
    ok: a.items.filter((i) => i.status === 'ok').length,
  })),
];

export const buildExportCard = (input: {
  format: string;
  file: string;
  output: FormatOutput;
  sources: ExportSources;
  filters: ExportFilters;
  skips: SkipCounts;
  commandLine: readonly string[];
  versions: Record<string, string>;
  createdAt?: Date;
}): ExportCard => {
  const bySplit: Record<TaskSplit, number> = { train: 0, eval: 0, test: 0, unsplit: 0 };
  const bySource: Record<RecordSource, number> = { real: 0, dream: 0, human: 0, branch: 0 };
  for (const m of input.output.meta) {
    bySplit[m.split] += 1;
    bySource[m.source] += 1;
  }
  return {
    format: input.format,
    file: input.file,
    container: input.output.container,
    created_at: (input.createdAt ?? new Date()).toISOString(),
    command_line: [...input.commandLine],
    filters: { split: input.filters.splits, only_success: input.filters.onlySuccess, min_reward: input.filters.minReward ?? null, include_dream: input.filters.includeDream },
    sources: sourceLines(input.sources),
    counts: { records: input.output.records.length, by_split: bySplit, by_source: bySource, tasks: new Set(input.output.meta.map((m) => m.task_id)).size, skipped: { ...input.skips } },
    reward: rewardDistribution(input.output.meta.map((m) => m.reward)),
    prompt_hashes: { ...input.output.promptHashes },
    versions: input.versions,
  };
};

const fmt = (n: number | null): string => (n === null ? '-' : String(Number(n.toFixed(4))));

/** The short human-readable card (`FILE.md`). */
export const renderExportCardMarkdown = (card: ExportCard): string => {
  const lines = [
    `# ${card.file}`,
    '',
    `Format \`${card.format}\` (${card.container === 'jsonl' ? 'JSON Lines' : 'one JSON array'}), ${card.counts.records} records over ${card.counts.tasks} tasks, written ${card.created_at} by:`,
    '',
    `    ${card.command_line.join(' ')}`,
    '',
    `Filters: split ${card.filters.split.join(', ')}; ${card.filters.only_success ? 'successful episodes only' : 'any outcome'}; min reward ${card.filters.min_reward ?? 'none'}; dreamed transitions ${card.filters.include_dream ? 'included' : 'left out of experience-sft, iwm and reflection'}.`,
    '',
    '| split | records |',
    '|---|---|',
    ...Object.entries(card.counts.by_split).map(([k, v]) => `| ${k} | ${v} |`),
    '',
    '| source | records |',
    '|---|---|',
    ...Object.entries(card.counts.by_source).map(([k, v]) => `| ${k} | ${v} |`),
    '',
    `Reward: mean ${fmt(card.reward.mean)}, min ${fmt(card.reward.min)}, median ${fmt(card.reward.median)}, max ${fmt(card.reward.max)}; ${card.reward.zero} at 0, ${card.reward.one} at 1.`,
    '',
    'Left out:',
    ...(Object.keys(card.counts.skipped).length === 0 ? ['- nothing'] : Object.entries(card.counts.skipped).map(([k, v]) => `- ${v}: ${k}`)),
    '',
    'Sources:',
    ...card.sources.map((s) => `- ${String(s['kind'])} ${String(s['dir'])} (manifest sha256 ${String(s['manifest_sha256']).slice(0, 16)}…)`),
    '',
    'Prompt hashes (sha256):',
    ...(Object.keys(card.prompt_hashes).length === 0 ? ['- none (the chat policy prompt is built in code)'] : Object.entries(card.prompt_hashes).map(([k, v]) => `- ${k}: ${v}`)),
    '',
  ];
  return lines.join('\n');
};
