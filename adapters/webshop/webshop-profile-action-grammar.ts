import type { ParsedAction } from '../../src/protocol/site-profile.js';

/**
 * WebShop's action regex `(.+)\[(.+)\]` applied with Python's `re.match`: anchored at the start
 * only (text after the last ']' is ignored, as WebShop ignores it), greedy, and `.` stops at a
 * newline only (JavaScript's `.` also stops at \r and U+2028/9, hence `[^\n]`).
 */
const ACTION = /^([^\n]+)\[([^\n]+)\]/;

/** Why a string is not `name[arg]`, as precisely as its shape allows. */
const notAnAction = (action: string): string => {
  if (!action.includes('[')) return `not an action: expected name[argument], e.g. search[red shoes] or click[buy now], got ${JSON.stringify(action)}`;
  if (/^\s*\[/.test(action) && !/^[^\n]+\[[^\n]+\]/.test(action)) return `missing action name before "[" in ${JSON.stringify(action)}`;
  if (/\[\s*\]/.test(action)) return `empty argument in ${JSON.stringify(action)}: write e.g. click[buy now]`;
  if (!action.includes(']')) return `missing "]" in ${JSON.stringify(action)}`;
  return `not an action: expected name[argument] on one line, got ${JSON.stringify(action)}`;
};

/**
 * Parses an action as WebShop does: name and argument from `(.+)\[(.+)\]`; the name trimmed and
 * lower-cased (so ' Click[x]' reads as click), the argument lower-cased but not trimmed (WebShop
 * lower-cases it and compares it with the clickables as it is).
 */
export const parseWebShopAction = (action: string): ParsedAction => {
  const match = ACTION.exec(action);
  const name = match?.[1]?.trim().toLowerCase();
  const arg = match?.[2];
  if (name === undefined || arg === undefined) return { ok: false, raw: action, reason: notAnAction(action) };
  if (name === '') return { ok: false, raw: action, reason: `missing action name before "[" in ${JSON.stringify(action)}` };
  return { ok: true, name, arg: arg.toLowerCase(), raw: action };
};

export type WebShopActionCheck =
  | { valid: true; kind: 'search'; query: string }
  | { valid: true; kind: 'click'; target: string }
  | { valid: false; reason: string };

export interface WebShopValidateOptions {
  /**
   * Accept `search[...]` on every page, as WebShop's benchmark text environment does (the real
   * site only has the box on the search page). Default false: search only where has_search_bar.
   */
  searchAnywhere?: boolean;
}

const SHOWN = 8;

const listSome = (clickables: readonly string[]): string => {
  if (clickables.length === 0) return 'nothing is clickable here';
  const shown = clickables.slice(0, SHOWN).map((c) => JSON.stringify(c)).join(', ');
  return `clickable: ${shown}${clickables.length > SHOWN ? `, … (${clickables.length} in all)` : ''}`;
};

/**
 * Whether an action is valid on a page with these available actions, as WebShop decides it:
 * `search[q]` with a non-blank q where the page has the search bar (or anywhere with
 * `searchAnywhere`); `click[x]` iff x is one of the clickables and is not 'search'. An invalid
 * action is a no-op on the site; the reason says exactly why.
 */
export const validateWebShopAction = (
  action: string,
  available: { has_search_bar: boolean; clickables: readonly string[] },
  options: WebShopValidateOptions = {},
): WebShopActionCheck => {
  const parsed = parseWebShopAction(action);
  if (!parsed.ok) return { valid: false, reason: parsed.reason };
  const { name, arg } = parsed;
  if (name === 'search') {
    if (arg.trim() === '') return { valid: false, reason: 'empty query: write e.g. search[red running shoes]' };
    if (!available.has_search_bar && !options.searchAnywhere) {
      return { valid: false, reason: 'search is not available here (this page has no search bar): click[back to search] first' };
    }
    return { valid: true, kind: 'search', query: arg };
  }
  if (name === 'click') {
    if (arg === 'search') return { valid: false, reason: 'click[search] is not allowed: use search[your query]' };
    if (!available.clickables.includes(arg)) {
      return { valid: false, reason: `${JSON.stringify(arg)} is not clickable here; ${listSome(available.clickables)}` };
    }
    return { valid: true, kind: 'click', target: arg };
  }
  return { valid: false, reason: `unknown action name ${JSON.stringify(name)}: use search[...] or click[...]` };
};
