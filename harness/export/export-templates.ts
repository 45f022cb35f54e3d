import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fillTemplate } from '../../src/llm/prompt-templates.js';

/**
 * The export's own prompt templates (world-model and agent instructions), files under
 * harness/export/prompts/. A site may have its own version of a template, `<name>-<env>.md`
 * (WebShop's instruction names its search[…]/click[…] grammar), used for that site's records.
 */
export const EXPORT_TEMPLATE_NAMES = ['iwm-system.md', 'iwm-user.md', 'react-instruction.md', 'eto-instruction.md', 'agent-system.md'] as const;
export type ExportTemplateName = (typeof EXPORT_TEMPLATE_NAMES)[number];

const DIR = fileURLToPath(new URL('./prompts/', import.meta.url));

export interface ExportTemplates {
  /** Template text by file name (site versions included). */
  text: Readonly<Record<string, string>>;
  /** sha256 (hex) of each file's text, for the dataset card. */
  hashes: Readonly<Record<string, string>>;
}

export const loadExportTemplates = (): ExportTemplates => {
  const text: Record<string, string> = {};
  const hashes: Record<string, string> = {};
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.md'))) {
    // One trailing newline is the file's, not the prompt's.
    text[file] = readFileSync(join(DIR, file), 'utf8').replace(/\r\n/g, '\n').replace(/\n$/, '');
    hashes[file] = createHash('sha256').update(text[file]).digest('hex');
  }
  for (const name of EXPORT_TEMPLATE_NAMES) if (text[name] === undefined) throw new Error(`export template ${name} is missing from ${DIR}`);
  return { text, hashes };
};

/** The file a site's records use: its own version when there is one. */
export const exportTemplateFile = (templates: ExportTemplates, name: ExportTemplateName, env: string): string => {
  const own = name.replace(/\.md$/, `-${env}.md`);
  return templates.text[own] === undefined ? name : own;
};

export const fillExportTemplate = (templates: ExportTemplates, name: ExportTemplateName, env: string, values: Readonly<Record<string, string>>): string =>
  fillTemplate(templates.text[exportTemplateFile(templates, name, env)] ?? '', values);

/** The hashes of the files records of these sites were built with. */
export const exportTemplateHashes = (templates: ExportTemplates, names: readonly ExportTemplateName[], envs: Iterable<string>): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const env of envs) {
    for (const name of names) {
      const file = exportTemplateFile(templates, name, env);
      out[file] = templates.hashes[file] ?? '';
    }
  }
  return out;
};
