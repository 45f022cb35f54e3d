import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigInvalidError } from '../env/errors.js';

/**
 * Prompt templates as plain files with `{{placeholder}}`s: a built-in set, each file replaceable
 * by the file of the same name in a directory of the user's (`--prompt-dir`). Which placeholders
 * each template may use is fixed, so a typo fails at start-up, not mid-run. The experience model
 * and the teacher of `annotate` load theirs through this.
 */

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
export const templateOfBytes = (bytes: Buffer): string => bytes.toString('utf8').replace(/\r\n/g, '\n').replace(/\n$/, '');

export interface TemplateSet<Name extends string> {
  /** Template text by file name. */
  readonly text: Readonly<Record<Name, string>>;
  /** 'built-in' or the overriding file's path, per file. */
  readonly sources: Readonly<Record<Name, string>>;
  /** sha256 (hex) of each file's bytes (`sha256sum` gives the same). */
  readonly fileHashes: Readonly<Record<Name, string>>;
}

export interface TemplateSetOptions<Name extends string> {
  /** The built-in files' directory. */
  builtInDir: string;
  /** Each template file and the placeholders it may use. */
  fields: Readonly<Record<Name, readonly string[]>>;
  /** The user's directory of replacements (`--prompt-dir`). */
  promptDir?: string | undefined;
  /** File names allowed in `promptDir` besides `fields`' (another set's, ignored here). Default none. */
  alsoKnown?: readonly string[];
  /** How errors name the directory, e.g. `--prompt-dir DIR`. */
  label: string;
}

/**
 * The templates to use: the built-in ones, each replaced by the file of the same name in
 * `promptDir` when there is one. A missing directory, a `.md` file with another name (a typo
 * would silently keep the built-in) or an unknown placeholder is CONFIG_INVALID naming the file.
 */
export const loadTemplateSet = <Name extends string>(options: TemplateSetOptions<Name>): TemplateSet<Name> => {
  const names = Object.keys(options.fields) as Name[];
  const overrides = new Map<string, string>();
  const { promptDir, label } = options;
  if (promptDir !== undefined) {
    if (!existsSync(promptDir) || !statSync(promptDir).isDirectory()) throw new ConfigInvalidError(`${label}: does not exist or is not a directory`);
    const known: readonly string[] = [...names, ...(options.alsoKnown ?? [])];
    for (const file of readdirSync(promptDir)) {
      if (!file.endsWith('.md')) continue;
      if (!known.includes(file)) throw new ConfigInvalidError(`${label}: ${file} is not a template name (expected some of ${names.join(', ')})`);
      overrides.set(file, join(promptDir, file));
    }
  }
  const text = {} as Record<Name, string>;
  const sources = {} as Record<Name, string>;
  const fileHashes = {} as Record<Name, string>;
  for (const name of names) {
    const override = overrides.get(name);
    const bytes = readFileSync(override ?? join(options.builtInDir, name));
    const template = templateOfBytes(bytes);
    const allowed = options.fields[name];
    const unknown = templatePlaceholders(template).filter((p) => !allowed.includes(p));
    if (unknown.length > 0) {
      throw new ConfigInvalidError(`${override ?? `built-in ${name}`}: unknown placeholder${unknown.length > 1 ? 's' : ''} ${unknown.map((p) => `{{${p}}}`).join(', ')} (${name} may use ${allowed.map((p) => `{{${p}}}`).join(', ')})`);
    }
    text[name] = template;
    sources[name] = override ?? 'built-in';
    fileHashes[name] = createHash('sha256').update(bytes).digest('hex');
  }
  return { text, sources, fileHashes };
};
