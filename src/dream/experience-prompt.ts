import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { loadTemplateSet } from '../llm/prompt-templates.js';

/**
 * The experience model's prompt templates: plain files with `{{placeholder}}`s, built in under
 * src/dream/prompts/ and overridable file by file from a directory of the user's (`promptDir`).
 * Which placeholders each template may use is fixed, so a typo fails at start-up, not mid-run.
 */

/** Each template file and the placeholders it may use. */
export const EXPERIENCE_TEMPLATE_FIELDS = {
  'experience-system.md': ['site_system', 'state_format', 'output_format', 'env'],
  'experience-user.md': [
    'instruction',
    'history',
    'history_length',
    'demonstrations',
    'demonstration_count',
    'state',
    'page_type',
    'available_actions',
    'action',
  ],
  'experience-history-step.md': ['step', 'state', 'action', 'reward'],
  'experience-demonstration.md': ['index', 'id', 'similarity', 'state', 'action', 'next_state', 'reward', 'done'],
  'experience-reask.md': ['reason', 'output_format'],
} as const satisfies Record<string, readonly string[]>;

export type ExperienceTemplateName = keyof typeof EXPERIENCE_TEMPLATE_FIELDS;

export const EXPERIENCE_TEMPLATE_NAMES = Object.keys(EXPERIENCE_TEMPLATE_FIELDS) as ExperienceTemplateName[];

export interface ExperiencePromptTemplates {
  /** Template text by file name. */
  readonly text: Readonly<Record<ExperienceTemplateName, string>>;
  /** Where each came from: 'built-in' or the overriding file's path (for run manifests and logs). */
  readonly sources: Readonly<Record<ExperienceTemplateName, string>>;
  /** sha256 (hex) of the templates used, names included: equal hashes mean equal prompts for equal inputs and profile. */
  readonly hash: string;
}

const BUILT_IN_DIR = fileURLToPath(new URL('./prompts/', import.meta.url));

/**
 * The templates to use: the built-in ones, each replaced by the file of the same name in
 * `promptDir` when there is one (src/llm/prompt-templates.ts: a missing directory, an unknown
 * file name or placeholder is CONFIG_INVALID).
 */
export const loadExperiencePromptTemplates = (promptDir?: string): ExperiencePromptTemplates => {
  const set = loadTemplateSet({ builtInDir: BUILT_IN_DIR, fields: EXPERIENCE_TEMPLATE_FIELDS, promptDir, label: `prompt directory ${promptDir ?? ''}` });
  const hash = createHash('sha256');
  for (const name of EXPERIENCE_TEMPLATE_NAMES) hash.update(`${name}\0${set.text[name]}\0`);
  return { text: set.text, sources: set.sources, hash: hash.digest('hex') };
};
