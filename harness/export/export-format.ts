import type { ExperiencePromptTemplates } from '../../src/dream/experience-prompt.js';
import type { ExportFilters, ExportSiteOf, RecordSource, SkipCounts, TaskSplit } from './export-selection.js';
import type { ExportSources } from './export-sources.js';
import type { ExportTemplates } from './export-templates.js';

/** The formats `export --format` writes. */
export const EXPORT_FORMATS = ['messages', 'iwm', 'reflection', 'experience-sft', 'agenttraj', 'eto', 'eto-pairs', 'sharegpt'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** What the card says about one record. */
export interface RecordMeta {
  split: TaskSplit;
  source: RecordSource;
  /** The step's reward (per-step formats) or the episode's total reward (trajectory formats). */
  reward: number;
  task_id: string;
}

/** What one format produced. */
export interface FormatOutput {
  /** JSONL (one record a line) or one JSON array. */
  container: 'jsonl' | 'json';
  records: unknown[];
  meta: RecordMeta[];
  /** sha256 of every prompt template the records were built with (file name → hash). */
  promptHashes: Record<string, string>;
}

/** The experience model's prompt settings (experience-sft): the inference defaults unless given. */
export interface ExperiencePromptSettings {
  templates: ExperiencePromptTemplates;
  k: number;
  historyLength: number;
  maxContextStateChars: number;
}

/** The chat policy's prompt settings (messages, reflection). */
export interface PolicyPromptSettings {
  historyLength: number;
  maxHistoryObservationChars: number;
}

export interface ExportContext {
  sources: ExportSources;
  siteOf: ExportSiteOf;
  filters: ExportFilters;
  /** Why records were left out (reason → count), filled by the format. */
  skips: SkipCounts;
  templates: ExportTemplates;
  experience: ExperiencePromptSettings;
  policy: PolicyPromptSettings;
}

export type FormatWriter = (context: ExportContext) => FormatOutput;
