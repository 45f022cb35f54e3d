import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fillTemplate } from '../../src/dream/experience-prompt.js';

/** The export's own prompt templates (world-model and agent instructions), files under harness/export/prompts/. */
export const EXPORT_TEMPLATE_NAMES = ['iwm-system.md', 'iwm-user.md', 'react-instruction.md', 'eto-instruction.md', 'agent-system.md'] as const;
export type ExportTemplateName = (typeof EXPORT_TEMPLATE_NAMES)[number];

const DIR = fileURLToPath(new URL('./prompts/', import.meta.url));

export interface ExportTemplates {
  text: Readonly<Record<ExportTemplateName, string>>;
  /** sha256 (hex) of each file's text, for the dataset card. */
  hashes: Readonly<Record<ExportTemplateName, string>>;
}

export const loadExportTemplates = (): ExportTemplates => {
  const text = {} as Record<ExportTemplateName, string>;
  const hashes = {} as Record<ExportTemplateName, string>;
  for (const name of EXPORT_TEMPLATE_NAMES) {
    // One trailing newline is the file's, not the prompt's.
    text[name] = readFileSync(join(DIR, name), 'utf8').replace(/\r\n/g, '\n').replace(/\n$/, '');
    hashes[name] = createHash('sha256').update(text[name]).digest('hex');
  }
  return { text, hashes };
};

export const fillExportTemplate = (templates: ExportTemplates, name: ExportTemplateName, values: Readonly<Record<string, string>>): string =>
  fillTemplate(templates.text[name], values);
