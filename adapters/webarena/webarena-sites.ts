import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigInvalidError, PlaceholderUnresolvedError, StorageStateMissingError } from '../../src/env/errors.js';

/** WebArena's site names, as they appear in a task's `sites`. */
export const WEBARENA_SITES = ['shopping', 'shopping_admin', 'reddit', 'gitlab', 'wikipedia', 'map'] as const;

export type WebArenaSite = (typeof WEBARENA_SITES)[number];

/**
 * Any site name a config, `--sites` or a site file may use: lower-case letters, digits and `_`,
 * starting with a letter (so its placeholder `__NAME__` and variable `NAME` are well formed).
 */
export const SITE_NAME = /^[a-z][a-z0-9_]*$/;

export const isSiteName = (name: string): boolean => SITE_NAME.test(name) && !name.includes('__') && !name.endsWith('_');

/** What a bad site name is told. */
export const SITE_NAME_RULE = 'a site name is lower-case letters, digits and single underscores, starting with a letter (e.g. wiki, shopping_admin)';

/** Base URL of each site a run can reach (no trailing slash); a site left out is unavailable. */
export type SiteUrls = Partial<Record<string, string>>;

/** `shopping_admin` → `__SHOPPING_ADMIN__`: the token WebArena's configs use in place of the URL (any site: `wiki` → `__WIKI__`). */
export const sitePlaceholder = (site: string): string => `__${site.toUpperCase()}__`;

/** `shopping_admin` → `SHOPPING_ADMIN`: the environment variable WebArena reads the URL from (any site: `wiki` → `WIKI`). */
export const siteEnvVar = (site: string): string => site.toUpperCase();

export const isWebArenaSite = (name: string): name is WebArenaSite => (WEBARENA_SITES as readonly string[]).includes(name);

/** `__SHOPPING_ADMIN__` → `shopping_admin`. */
const siteOfPlaceholder = (placeholder: string): string => placeholder.slice(2, -2).toLowerCase();

// Upper-case only: the configs also hold `__last_url__` and `__page__`, which are evaluator
// template variables, not sites.
const PLACEHOLDER = /__[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*__/g;

/** A site URL as WebArena uses it: absolute http(s), no trailing slash (paths are appended). */
export const normaliseSiteUrl = (url: string, where: string): string => {
  const trimmed = url.trim();
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    throw new ConfigInvalidError(`${where}: "${url}" is not a URL (expected e.g. http://localhost:7770)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigInvalidError(`${where}: "${url}" is not an http(s) URL`);
  }
  return trimmed.replace(/\/+$/, '');
};

/**
 * Parses `--sites shopping=http://a,wiki=http://b`. Every entry must name a site once (any
 * well-formed name: WebArena's six or your own) and give an http(s) URL; trailing slashes are dropped.
 */
export const parseSitesFlag = (flag: string): SiteUrls => {
  const sites: SiteUrls = {};
  const entries = flag.split(',').map((entry) => entry.trim());
  if (entries.every((entry) => entry === '')) throw new ConfigInvalidError('--sites: empty (expected e.g. shopping=http://localhost:7770,reddit=http://localhost:9999)');
  for (const entry of entries) {
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    if (eq < 0) throw new ConfigInvalidError(`--sites: "${entry}" is not SITE=URL (e.g. gitlab=http://localhost:8023)`);
    const name = entry.slice(0, eq).trim();
    if (!isSiteName(name)) throw new ConfigInvalidError(`--sites: "${name}" is not a site name (${SITE_NAME_RULE})`);
    if (sites[name] !== undefined) throw new ConfigInvalidError(`--sites: ${name} is given twice`);
    const url = entry.slice(eq + 1);
    if (url.trim() === '') throw new ConfigInvalidError(`--sites: ${name} has an empty URL`);
    sites[name] = normaliseSiteUrl(url, `--sites ${name}`);
  }
  return sites;
};

/**
 * Site URLs for a run: the environment variables of WebArena's six sites (SHOPPING, GITLAB, …) and
 * of every other site the run names (`names`: a config's sites, a site file's; `wiki` → WIKI)
 * first, then the `--sites` flag on top (the flag wins, per the precedence flags → env).
 */
export const resolveSites = (flag: string | undefined, env: Readonly<Record<string, string | undefined>>, names: Iterable<string> = []): SiteUrls => {
  const sites: SiteUrls = {};
  for (const site of new Set([...WEBARENA_SITES, ...names])) {
    const value = env[siteEnvVar(site)];
    if (value !== undefined && value.trim() !== '') sites[site] = normaliseSiteUrl(value, `environment variable ${siteEnvVar(site)}`);
  }
  return flag === undefined ? sites : { ...sites, ...parseSitesFlag(flag) };
};

/** The site placeholders (`__REDDIT__`, …) a text refers to, in order of first appearance. */
export const placeholdersIn = (text: string): string[] => [...new Set(text.match(PLACEHOLDER) ?? [])];

/**
 * Replaces every site placeholder in `text` by its URL: `__NAME__` stands for the site `name`
 * (WebArena's six and any other). A placeholder with no URL is an error that says how to provide it.
 */
export const resolvePlaceholders = (text: string, sites: SiteUrls): string =>
  text.replace(PLACEHOLDER, (placeholder) => {
    const site = siteOfPlaceholder(placeholder);
    const url = sites[site];
    if (url === undefined) {
      throw new PlaceholderUnresolvedError(placeholder, `${placeholder} has no URL: pass --sites ${site}=URL or set ${siteEnvVar(site)}`);
    }
    return url;
  });

/** The URLs a task starts on, one tab each (WebArena joins them with ` |AND| `). */
export const startUrls = (task: { readonly start_url: string }, sites: SiteUrls): string[] =>
  task.start_url
    .split(' |AND| ')
    .map((url) => url.trim())
    .filter((url) => url !== '')
    .map((url) => resolvePlaceholders(url, sites));

/**
 * Where a task's storage state lives: absolute paths as they are, relative ones under `authDir`
 * (WebArena's `./.auth/<site>_state.json` is relative to its checkout, so `authDir` is the
 * directory that holds `.auth/`).
 */
export const storageStatePath = (path: string, authDir: string): string => (isAbsolute(path) ? path : resolve(authDir, path));

/**
 * The absolute path of a task's Playwright storage state (`null` when the task needs none).
 * `./.auth/gitlab_state.json` becomes `<authDir>/.auth/gitlab_state.json`; the file must exist by
 * now, since the task is about to run (`exists` is injectable for tests).
 */
export const resolveStorageState = (
  path: string | null,
  authDir: string,
  exists: (path: string) => boolean = existsSync,
): string | null => {
  if (path === null) return null;
  const absolute = storageStatePath(path, authDir);
  if (!exists(absolute)) throw new StorageStateMissingError(absolute);
  return absolute;
};
