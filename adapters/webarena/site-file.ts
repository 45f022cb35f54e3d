import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { codeOf } from '../../src/env/code-of.js';
import { ConfigInvalidError } from '../../src/env/errors.js';
import { siteFileSchema, type LoginRecipe, type PageRule, type ResetRecipe, type SiteEntry } from './site-file-schema.js';
import { isSiteName, normaliseSiteUrl, SITE_NAME_RULE } from './webarena-sites.js';
import { formatPath, formatProblem } from './webarena-task-config.js';

/** One site of a site file, checked and with its paths made absolute. */
export interface SiteSpec {
  name: string;
  /** The site's base URL (no trailing slash); `--sites` and the NAME variable override it. */
  url: string;
  login?: LoginRecipe;
  reset?: ResetRecipe & { cwd: string };
  pages: readonly PageRule[];
  maxSteps?: number;
  isolated: boolean;
}

export type SiteSpecs = ReadonlyMap<string, SiteSpec>;

const specOf = (name: string, entry: SiteEntry, file: string): SiteSpec => {
  if (!isSiteName(name)) throw new ConfigInvalidError(`${file}: sites.${name}: not a site name (${SITE_NAME_RULE})`);
  const url = normaliseSiteUrl(entry.url, `${file}: sites.${name}.url`);
  let login = entry.login;
  if (login?.password_env !== undefined && login.password === undefined) {
    const password = process.env[login.password_env];
    // Missing is allowed: a stored login may still hold; a login attempt then says what is missing.
    if (password !== undefined) login = { ...login, password };
  }
  return {
    name,
    url,
    ...(login ? { login } : {}),
    ...(entry.reset ? { reset: { ...entry.reset, cwd: dirname(resolve(file)) } } : {}),
    pages: entry.pages ?? [],
    ...(entry.max_steps === undefined ? {} : { maxSteps: entry.max_steps }),
    isolated: entry.isolated ?? false,
  };
};

/** Validates a parsed site file; errors name the file and the field path (`sites.wiki.reset.when: …`). */
export const parseSiteFile = (json: unknown, file: string): Map<string, SiteSpec> => {
  const result = siteFileSchema.safeParse(json);
  if (!result.success) {
    const [first, ...rest] = result.error.issues;
    const field = first && first.path.length > 0 ? `${formatPath(first.path)}: ` : '';
    const more = rest.length === 0 ? '' : ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})`;
    // zod's "Invalid option: expected one of …" → "expected one of …".
    const text = first ? formatProblem(first).replace(/^(?:Invalid (?:option|string|input)|Too (?:small|big)): /, '') : 'invalid';
    throw new ConfigInvalidError(`${file}: ${field}${text}${more}`);
  }
  return new Map(Object.entries(result.data.sites).map(([name, entry]) => [name, specOf(name, entry, file)]));
};

/** Reads `--site-file FILE` (JSON). */
export const readSiteFile = (file: string): Map<string, SiteSpec> => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigInvalidError(`--site-file ${file}: cannot read: ${codeOf(error) ?? (error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigInvalidError(`--site-file ${file}: not valid JSON: ${(error as Error).message}`);
  }
  return parseSiteFile(json, file);
};

/** An absolute URL from a path under a site's URL (absolute URLs stay as they are). */
export const siteUrlOf = (base: string, pathOrUrl: string): string => (/^https?:\/\//i.test(pathOrUrl) ? pathOrUrl : `${base.replace(/\/+$/, '')}${pathOrUrl.startsWith('/') ? '' : '/'}${pathOrUrl}`);
