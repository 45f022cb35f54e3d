import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigInvalidError } from '../env/errors.js';

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

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** The placeholder names a template uses, in order of first use. */
export const templatePlaceholders = (template: string): string[] => [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''))];

/**
 * Replaces every `{{name}}` in one pass: values are inserted literally, so a state text that
 * itself contains `{{…}}` is never expanded again.
 */
export const fillTemplate = (template: string, values: Readonly<Record<string, string>>): string =>
  template.replace(PLACEHOLDER, (whole, name: string) => values[name] ?? whole);

/** One trailing newline is the file's, not the prompt's. */
const readTemplate = (path: string): string => readFileSync(path, 'utf8').replace(/\r\n/g, '\n').replace(/\n$/, '');

const checkPlaceholders = (name: ExperienceTemplateName, template: string, source: string): void => {
  const allowed: readonly string[] = EXPERIENCE_TEMPLATE_FIELDS[name];
  const unknown = templatePlaceholders(template).filter((p) => !allowed.includes(p));
  if (unknown.length > 0) {
    throw new ConfigInvalidError(`${source}: unknown placeholder${unknown.length > 1 ? 's' : ''} ${unknown.map((p) => `{{${p}}}`).join(', ')} (${name} may use ${allowed.map((p) => `{{${p}}}`).join(', ')})`);
  }
};

/**
 * The templates to use: the built-in ones, each replaced by the file of the same name in
 * `promptDir` when there is one. A missing directory, a `.md` file with another name (a typo
 * would silently keep the built-in) or an unknown placeholder is CONFIG_INVALID.
 */
export const loadExperiencePromptTemplates = (promptDir?: string): ExperiencePromptTemplates => {
  const overrides = new Map<string, string>();
  if (promptDir !== undefined) {
    if (!existsSync(promptDir) || !statSync(promptDir).isDirectory()) throw new ConfigInvalidError(`prompt directory ${promptDir} does not exist or is not a directory`);
    for (const file of readdirSync(promptDir)) {
      if (!file.endsWith('.md')) continue;
      if (!(EXPERIENCE_TEMPLATE_NAMES as string[]).includes(file)) {
        throw new ConfigInvalidError(`prompt directory ${promptDir}: ${file} is not a template name (expected some of ${EXPERIENCE_TEMPLATE_NAMES.join(', ')})`);
      }
      overrides.set(file, join(promptDir, file));
    }
  }
  const text = {} as Record<ExperienceTemplateName, string>;
  const sources = {} as Record<ExperienceTemplateName, string>;
  const hash = createHash('sha256');
  for (const name of EXPERIENCE_TEMPLATE_NAMES) {
    const override = overrides.get(name);
    const template = readTemplate(override ?? join(BUILT_IN_DIR, name));
    checkPlaceholders(name, template, override ?? `built-in ${name}`);
    text[name] = template;
    sources[name] = override ?? 'built-in';
    hash.update(`${name}\0${template}\0`);
  }
  return { text, sources, hash: hash.digest('hex') };
};
