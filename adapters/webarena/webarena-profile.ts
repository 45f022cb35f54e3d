import type { AvailableActions, Observation } from '../../src/protocol/observation.js';
import { webArenaTaskIdSchema } from './webarena-task-id.js';
import type { CanonicalKey, ParsedAction, SiteProfile } from '../../src/protocol/site-profile.js';
import type { Split, Task } from '../../src/protocol/task.js';
import { formatWebArenaAction, parseWebArenaAction } from './webarena-profile-actions.js';
import { isWebArenaActions, webArenaAvailableActionsSchema } from './webarena-available-actions.js';

export { extractWebArenaAction, formatWebArenaAction, parseWebArenaAction } from './webarena-profile-actions.js';
export type { ParsedWebArenaAction, WebArenaAction } from './webarena-profile-actions.js';

export const WEBARENA_PROFILE_VERSION = 'webarena-profile/1';
export const WEBARENA_KEY_VERSION = 'webarena-key/2';
/** WebArena's own episode length (its run.py default max_steps). */
export const WEBARENA_DEFAULT_MAX_STEPS = 30;
export { isWebArenaActions, webArenaAvailableActionsSchema, webArenaIds, type WebArenaAvailableActions } from './webarena-available-actions.js';

/** Options of `createWebArenaProfile`. */
export interface WebArenaProfileOptions {
  /** The site's task ids (all test tasks). */
  taskIds?: readonly string[];
  /** Site name → base URL, for page types relative to a site. */
  sites?: Readonly<Record<string, string>>;
  /** Steps before truncation. Default WEBARENA_DEFAULT_MAX_STEPS (30). */
  maxSteps?: number;
  /** A site file's page types: returns undefined for a URL on none of its sites (then WebArena's rule applies). */
  sitePageType?: (url: string) => string | undefined;
  /** A site file's canonical keys: undefined for a state on none of its sites (then `webarena-key/2` applies). */
  siteCanonicalKey?: (state: Pick<Observation, 'text' | 'url'>) => CanonicalKey | undefined;
}

/** Roles an agent can act on; their (role, name) pairs identify a page state. */
export const ACTIONABLE_ROLES: ReadonlySet<string> = new Set([
  'link', 'button', 'textbox', 'searchbox', 'combobox', 'listbox', 'option', 'checkbox', 'radio',
  'menuitem', 'menuitemcheckbox', 'menuitemradio', 'tab', 'switch', 'slider', 'spinbutton', 'treeitem',
]);

/** One line of the tree text: `[id] role 'name' …` (tabs before it give the depth). */
export const TREE_LINE = /^\t*\[([^\]]+)\] (\S+) (?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")?/;

export interface TreeEntry {
  id: string;
  role: string;
  name: string;
}

/** The `[id] role 'name'` entries of a WebArena-format tree text. */
export const readTreeEntries = (text: string): TreeEntry[] => {
  const entries: TreeEntry[] = [];
  for (const line of text.split('\n')) {
    const m = TREE_LINE.exec(line);
    if (m?.[1] && m[2]) entries.push({ id: m[1], role: m[2], name: (m[3] ?? m[4] ?? '').replace(/\\(.)/g, '$1') });
  }
  return entries;
};

/** Actionable ids of a tree text, in document order. */
export const actionableIds = (text: string): string[] => readTreeEntries(text).filter((e) => ACTIONABLE_ROLES.has(e.role)).map((e) => e.id);

/**
 * A page type from the URL path: relative to the site base it belongs to when known
 * (`shopping_admin:/orders/:n`), numbers and long hex/ids generalised so that pages of one kind
 * share a type.
 */
export const webArenaPageType = (url: string, sites: Readonly<Record<string, string>> = {}): string => {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'unknown';
  }
  const href = `${parsed.origin}${parsed.pathname}`;
  const match = Object.entries(sites)
    .filter(([, base]) => href.startsWith(base.replace(/\/+$/, '')))
    .sort((a, b) => b[1].length - a[1].length)[0];
  const path = match ? href.slice(match[1].replace(/\/+$/, '').length) : parsed.pathname;
  const normal = path
    .split('/')
    .filter(Boolean)
    .map((seg) => (/^\d+$/.test(seg) ? ':n' : /^[0-9a-f]{12,}$/i.test(seg) ? ':id' : seg.toLowerCase()))
    .join('/');
  return `${match ? match[0] : parsed.host}:/${normal}`;
};

/** 64-bit FNV-1a, 16 hex digits: a stable digest that is the same on every machine. */
export const fnv1a = (text: string): string => {
  let hash = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= BigInt(text.charCodeAt(i));
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
};

/**
 * A per-episode namespace prefix (`/ns/<namespace>/`, how the local sites give each episode its
 * own copy of the data) names the copy, not the state: the same page of two episodes has one key.
 */
const NAMESPACE_PREFIX = /^\/ns\/[^/]+(?=\/)/;

const pathOf = (url: string | undefined): string => {
  try {
    return url ? new URL(url).pathname.replace(NAMESPACE_PREFIX, '').replace(/\/+$/, '') || '/' : '';
  } catch {
    return '';
  }
};

/**
 * Canonical key (`webarena-key/2`): `<URL path>|<digest of the sorted set of actionable
 * (role, name) pairs>`, the path without a `/ns/<namespace>` prefix (version 1 kept it, so the
 * same page of two local episodes had two keys). Ids are left out: they number elements, they do
 * not identify the state.
 */
export const webArenaCanonicalKey = (state: Pick<Observation, 'text' | 'url'>): CanonicalKey => {
  const path = pathOf(state.url);
  const pairs = [...new Set(readTreeEntries(state.text).filter((e) => ACTIONABLE_ROLES.has(e.role)).map((e) => `${e.role}\u0000${e.name}`))].sort();
  return { version: WEBARENA_KEY_VERSION, key: `${path}|${fnv1a(pairs.join('\u0001'))}` };
};

const toParsedAction = (raw: string): ParsedAction => {
  const parsed = parseWebArenaAction(raw);
  if (!parsed.ok) return { ok: false, raw, reason: parsed.reason };
  const text = formatWebArenaAction(parsed.action);
  return { ok: true, name: parsed.action.kind, arg: text.slice(parsed.action.kind.length).trim(), raw };
};

/** Ids an action refers to, so validation can check them against the page. */
const idOf = (raw: string): string | undefined => {
  const parsed = parseWebArenaAction(raw);
  return parsed.ok && 'id' in parsed.action ? parsed.action.id : undefined;
};

/** The WebArena site profile: pure, shared by the real adapter and the dream side. */
/** A line of the compact view: `[id] role: name` with an optional ` (state)`. */
const COMPACT_LINE = /^\[([^\]\s]+)\] (\w+): (.*)$/;

/** The id of `role` named `name` in a compact view (names there are whitespace-collapsed). */
const findCompactId = (text: string, role: string, name: string): string | undefined => {
  const flat = name.replace(/\s+/g, ' ').trim();
  for (const line of text.split('\n')) {
    const m = COMPACT_LINE.exec(line);
    if (m?.[2] === role && (m[3] === flat || m[3]?.startsWith(`${flat} (`) === true)) return m[1];
  }
  return undefined;
};

/** The id of the element with this role and accessible name in a WebArena observation text (the tree or the compact view). */
export const findTreeId = (text: string, role: string, name: string): string | undefined =>
  readTreeEntries(text).find((e) => e.role === role && e.name === name)?.id ?? findCompactId(text, role, name);

/** The actions verl-agent lists for a WebArena page (element actions only when it has actionable ids). */
const webArenaAdmissible = (available: AvailableActions): string[] => {
  const ids = isWebArenaActions(available) ? available.ids : [];
  return [
    ...(ids.length > 0 ? [`click [id]`, `type [id] [text] [1|0]`, `hover [id]`].map((a) => `${a} (id one of: ${ids.join(', ')})`) : []),
    'press [key_comb]', 'scroll [down]', 'scroll [up]', 'new_tab', 'tab_focus [tab_index]', 'close_tab', 'goto [url]', 'go_back', 'go_forward', 'stop [answer]',
  ];
};

export const createWebArenaProfile = (options: WebArenaProfileOptions = {}): SiteProfile => ({
  env: 'webarena',
  displayName: 'WebArena',
  version: WEBARENA_PROFILE_VERSION,
  maxSteps: options.maxSteps ?? WEBARENA_DEFAULT_MAX_STEPS,
  availableActionsSchema: webArenaAvailableActionsSchema,
  taskIdSchema: webArenaTaskIdSchema,
  pageType: (text) => {
    const url = /^URL: (\S+)/m.exec(text)?.[1];
    return url ? (options.sitePageType?.(url) ?? webArenaPageType(url, options.sites)) : undefined;
  },
  availableActions: (text): AvailableActions => ({ ids: actionableIds(text) }),
  parseAction: toParsedAction,
  validateAction: (action, available) => {
    const parsed = parseWebArenaAction(action);
    if (!parsed.ok) return { valid: false, reason: parsed.reason };
    const id = idOf(action);
    if (id !== undefined && isWebArenaActions(available) && !available.ids.includes(id)) {
      return { valid: false, reason: `no actionable element [${id}] on this page` };
    }
    return { valid: true };
  },
  actionChoices: (available) => (isWebArenaActions(available) ? available.ids.map((id) => `click [${id}]`) : []),
  promptActions: (available) => {
    const ids = isWebArenaActions(available) ? available.ids : [];
    return ids.length === 0 ? '(no actionable element)' : `actions on these element ids: ${ids.map((id) => `[${id}]`).join(' ')}`;
  },
  admissibleActions: webArenaAdmissible,
  canonicalKey: (state) => options.siteCanonicalKey?.(state) ?? webArenaCanonicalKey(state),
  instructionText: (instruction) => instruction,
  findElement: findTreeId,
  // WebArena pages cannot be derived from an instruction: a blank tab until a recorded one is used.
  initialState: () => "Tab 0 (current): New Tab\n\n[1] RootWebArea 'New Tab' focused: True",
  prompts: {
    system:
      'You imagine a website from the WebArena benchmark (a shop admin, a forum, GitLab, a map, a wiki). Given the task, the history and the current page as an accessibility tree, predict the next page after the action, in the same tree format, and whether the task is done.',
    stateFormat:
      "A header 'Tab 0 (current): <title>', a blank line, then one element per line, tab-indented by depth: [id] role 'name' followed by properties such as focused: True, required: False, expanded: False, hasPopup: menu. Text appears as StaticText lines.",
    policySite: 'a web browser on a realistic website (WebArena)',
  },
  // WebArena has no train/eval/test split of its own: every task is a test task.
  tasks: (split: Split): Task[] =>
    split === 'test' ? (options.taskIds ?? []).map((id) => ({ task_id: id, env: 'webarena', split: 'test' })) : [],
});
