import { mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { EXPERIENCE_MODEL_DEFAULTS } from '../../src/dream/openai-experience-model.js';
import { loadExperiencePromptTemplates } from '../../src/dream/experience-prompt.js';
import { ConfigInvalidError } from '../../src/env/errors.js';
import { packageVersion, writeFileAtomic } from '../../src/store/index.js';
import { OPENAI_CHAT_POLICY_DEFAULTS } from '../policies/openai-chat-policy.js';
import { buildExportCard, renderExportCardMarkdown, type ExportCard } from './export-card.js';
import type { ExportContext, ExportFormat, FormatOutput, FormatWriter } from './export-format.js';
import type { ExportFilters, ExportSite } from './export-selection.js';
import { readExportSources, type SourceRun } from './export-sources.js';
import { loadExportTemplates } from './export-templates.js';
import { writeAgentTraj } from './format-agenttraj.js';
import { writeEto } from './format-eto.js';
import { writeEtoPairs } from './format-eto-pairs.js';
import { writeExperienceSft } from './format-experience-sft.js';
import { writeIwm } from './format-iwm.js';
import { writeMessages } from './format-messages.js';
import { writeReflection } from './format-reflection.js';
import { sharegptDatasetInfo, writeShareGpt } from './format-sharegpt.js';

const WRITERS: Record<ExportFormat, FormatWriter> = {
  messages: writeMessages,
  iwm: writeIwm,
  reflection: writeReflection,
  'experience-sft': writeExperienceSft,
  agenttraj: writeAgentTraj,
  eto: writeEto,
  'eto-pairs': writeEtoPairs,
  sharegpt: writeShareGpt,
};

/** Options of `runExport` (`dreambridge export`). */
export interface ExportOptions {
  format: ExportFormat;
  /** Run directories and annotation directories. */
  from: readonly string[];
  /** The file written; the card goes to FILE.card.json and FILE.md. */
  out: string;
  filters: ExportFilters;
  /** The site (profile, splits) of a run, from its manifest. */
  resolveSite: (run: SourceRun) => Promise<ExportSite>;
  /** Recorded in the card. */
  commandLine: readonly string[];
  /** experience-sft: templates overriding the experience model's (the `--prompt-dir` the model runs with). */
  promptDir?: string | undefined;
  /** experience-sft: demonstrations per record. Default the experience model's k (4). */
  k?: number | undefined;
  /** experience-sft: history steps shown. Default the experience model's H (4). */
  historyLength?: number | undefined;
}

export interface ExportResult {
  file: string;
  cardFile: string;
  markdownFile: string;
  datasetInfoFile?: string;
  card: ExportCard;
}

const serialise = (output: FormatOutput): string =>
  output.container === 'jsonl' ? output.records.map((r) => `${JSON.stringify(r)}\n`).join('') : `${JSON.stringify(output.records, null, 2)}\n`;

/** Adds (or replaces) this file's entry in LLaMA-Factory's `dataset_info.json` beside it, keeping the others. */
const writeDatasetInfo = async (file: string): Promise<string> => {
  const infoFile = join(dirname(file), 'dataset_info.json');
  let info: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(await readFile(infoFile, 'utf8')) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigInvalidError(`${infoFile}: not a JSON object; move it away or fix it`);
    info = parsed as Record<string, unknown>;
  } catch (error) {
    if (error instanceof ConfigInvalidError) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new ConfigInvalidError(`${infoFile}: not readable JSON (${(error as Error).message})`);
  }
  const name = basename(file).replace(/\.[^.]+$/, '');
  info[name] = sharegptDatasetInfo(basename(file));
  await writeFileAtomic(infoFile, `${JSON.stringify(info, null, 2)}\n`);
  return infoFile;
};

/**
 * Reads the sources, builds the records of one format, writes them and the dataset card. Nothing
 * is written when a source or a flag is wrong (every check comes before the first write).
 */
export const runExport = async (options: ExportOptions): Promise<ExportResult> => {
  const sources = await readExportSources(options.from);
  const sites = new Map<string, ExportSite>();
  for (const run of sources.runs) sites.set(run.dir, await options.resolveSite(run));
  const context: ExportContext = {
    sources,
    siteOf: (run) => {
      const site = sites.get(run.dir);
      if (site === undefined) throw new Error(`no site resolved for ${run.dir}`);
      return site;
    },
    filters: options.filters,
    skips: {},
    templates: loadExportTemplates(),
    experience: {
      templates: loadExperiencePromptTemplates(options.promptDir),
      k: options.k ?? EXPERIENCE_MODEL_DEFAULTS.k,
      historyLength: options.historyLength ?? EXPERIENCE_MODEL_DEFAULTS.historyLength,
      maxContextStateChars: EXPERIENCE_MODEL_DEFAULTS.maxContextStateChars,
    },
    policy: { historyLength: OPENAI_CHAT_POLICY_DEFAULTS.historyLength, maxHistoryObservationChars: OPENAI_CHAT_POLICY_DEFAULTS.maxHistoryObservationChars },
  };
  const output = WRITERS[options.format](context);
  const file = resolve(options.out);
  const card = buildExportCard({
    format: options.format,
    file: basename(file),
    output,
    sources,
    filters: options.filters,
    skips: context.skips,
    commandLine: options.commandLine,
    versions: { dreambridge: packageVersion(), node: process.version },
  });
  await mkdir(dirname(file), { recursive: true });
  await writeFileAtomic(file, serialise(output));
  const cardFile = `${file}.card.json`;
  const markdownFile = `${file}.md`;
  await writeFileAtomic(cardFile, `${JSON.stringify(card, null, 2)}\n`);
  await writeFileAtomic(markdownFile, renderExportCardMarkdown(card));
  const datasetInfoFile = options.format === 'sharegpt' ? await writeDatasetInfo(file) : undefined;
  return { file, cardFile, markdownFile, ...(datasetInfoFile === undefined ? {} : { datasetInfoFile }), card };
};
