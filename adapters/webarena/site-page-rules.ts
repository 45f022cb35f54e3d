import type { Observation } from '../../src/protocol/observation.js';
import type { CanonicalKey } from '../../src/protocol/site-profile.js';
import type { PageRule } from './site-file-schema.js';
import { fnv1a, webArenaPageType } from './webarena-profile.js';

/**
 * Page types and canonical keys of sites defined in a site file (pure: the dream side computes
 * them from dreamed text too). A URL under a rule's path is typed by the path and the rule's
 * `type_query` values, and keyed by the path, its `key_query` values and (unless `content: false`)
 * a digest of the main region's content; a site without a matching rule is keyed by path and content.
 */
export const SITE_KEY_VERSION = 'site-key/1';

/** What the rules need of a site: its base URL and its rules. */
export interface SiteRules {
  url: string;
  pages: readonly PageRule[];
}

export type SitesRules = Readonly<Record<string, SiteRules>>;

interface Located {
  site: string;
  base: string;
  path: string;
  query: URLSearchParams;
  rule: PageRule | undefined;
}

const pathMatches = (rule: PageRule, path: string): boolean => (rule.path.endsWith('*') ? path.startsWith(rule.path.slice(0, -1)) : path === rule.path);

/** The site a URL belongs to (the longest base URL it starts with), with its path under the base and its rule. */
export const locateUrl = (url: string | undefined, sites: SitesRules): Located | undefined => {
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const href = `${parsed.origin}${parsed.pathname}`;
  const match = Object.entries(sites)
    .map(([site, rules]) => ({ site, rules, base: rules.url.replace(/\/+$/, '') }))
    .filter(({ base }) => href === base || href.startsWith(`${base}/`))
    .sort((a, b) => b.base.length - a.base.length)[0];
  if (!match) return undefined;
  const path = href.slice(match.base.length) || '/';
  return { site: match.site, base: match.base, path, query: parsed.searchParams, rule: match.rules.pages.find((r) => pathMatches(r, path)) };
};

/** `?do=edit&id=start` from the named parameters present, in the order named (absent ones left out). */
const namedQuery = (query: URLSearchParams, names: readonly string[] | undefined): string => {
  const parts = (names ?? []).flatMap((name) => query.getAll(name).map((value) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`));
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
};

/** A page type: `wiki:/doku.php?do=edit` under a rule; the generalised path (`wiki:/users/:n`) otherwise. */
export const sitePageType = (url: string, sites: SitesRules): string | undefined => {
  const located = locateUrl(url, sites);
  if (!located) return undefined;
  const base = webArenaPageType(url, { [located.site]: located.base });
  return located.rule ? `${base}${namedQuery(located.query, located.rule.type_query)}` : base;
};

const TREE_ID = /^(\t*)\[[^\]]+\] /;

// Dates and clock times ("Last modified: 2026/12/02 04:23") say when, not what: left out of the digest.
const TIMESTAMP = /\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b|\b\d{1,2}:\d{2}(?::\d{2})?\b/g;

/**
 * The main region of a WebArena tree text: the lines under the first `main` landmark (all lines
 * when there is none), ids, focus and timestamps left out and white space collapsed, so the
 * digest changes with the content and not with numbering, focus, indentation or the clock.
 */
export const mainRegionText = (text: string): string => {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => /^\t*\[[^\]]+\] main\b/.test(line));
  let region: string[];
  if (start >= 0) {
    const depth = (TREE_ID.exec(lines[start] ?? '')?.[1] ?? '').length;
    const end = lines.findIndex((line, i) => i > start && TREE_ID.test(line) && (TREE_ID.exec(line)?.[1] ?? '').length <= depth);
    region = lines.slice(start + 1, end < 0 ? undefined : end);
  } else {
    // The header (`Tab 0 (current): <title>`) and the URL line are not content.
    region = lines.filter((line) => !/^Tab \d+/.test(line) && !/^URL: /.test(line));
  }
  return region
    .map((line) => line.replace(TREE_ID, '').replace(/\bfocused: True\b/g, '').replace(TIMESTAMP, '<time>').replace(/\s+/g, ' ').trim())
    .filter((line) => line !== '')
    .join('\n');
};

/** `Tab 0 (current): projects:apollo [Team Wiki]` → `projects:apollo [Team Wiki]`. */
const currentTitle = (text: string): string => /^Tab \d+ \(current\): (.*)$/m.exec(text)?.[1]?.trim() ?? '';

/**
 * The key of a state known by its text only (what fidelity compares: a dreamed state has no URL):
 * the current tab's title and the main region's digest, so a page before and after an edit differ.
 */
export const siteTextKey = (text: string): CanonicalKey => ({ version: SITE_KEY_VERSION, key: `~${currentTitle(text)}|${fnv1a(mainRegionText(text))}` });

/**
 * The canonical key of a state on a site-file site, or undefined when its URL is on none of them;
 * a state without a URL gets its text key (`siteTextKey`).
 */
export const siteCanonicalKey = (state: Pick<Observation, 'text' | 'url'>, sites: SitesRules): CanonicalKey | undefined => {
  if (!state.url) return siteTextKey(state.text);
  const located = locateUrl(state.url, sites);
  if (!located) return undefined;
  const content = located.rule?.content ?? true;
  const query = located.rule ? namedQuery(located.query, located.rule.key_query) : '';
  return { version: SITE_KEY_VERSION, key: `${located.site}:${located.path}${query}|${content ? fnv1a(mainRegionText(state.text)) : '-'}` };
};
