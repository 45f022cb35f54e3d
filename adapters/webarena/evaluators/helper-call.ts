/**
 * WebArena's `func:` helpers as its configs call them (`func:reddit_get_post_url('__last_url__')`
 * in a target URL, `func:gitlab_get_project_memeber_role(__page__, 'byteblaze')` in a locator).
 * WebArena `eval`s the text as Python; here it is parsed into a call of a known helper, so an
 * unknown or malformed one is reported `unsupported` with the reason instead of run.
 */

/** An argument as the configs write them: the evaluation page, or a Python string literal. */
export type HelperArg = { readonly kind: 'page' } | { readonly kind: 'string'; readonly value: string };

export interface HelperCall {
  readonly name: WebArenaHelperName;
  readonly args: readonly HelperArg[];
}

/** Where a helper may appear: computing the URL to check, or the value to check. */
export type HelperPlace = 'url' | 'locator';

interface HelperSignature {
  readonly place: HelperPlace;
  readonly args: readonly HelperArg['kind'][];
}

/** The five helpers of WebArena's evaluation harness (the misspelling is WebArena's). */
export const WEBARENA_HELPERS = {
  reddit_get_post_url: { place: 'url', args: ['string'] },
  shopping_get_latest_order_url: { place: 'url', args: [] },
  gitlab_get_project_memeber_role: { place: 'locator', args: ['page', 'string'] },
  shopping_get_sku_latest_review_rating: { place: 'locator', args: ['string'] },
  shopping_get_sku_latest_review_author: { place: 'locator', args: ['string'] },
} as const satisfies Record<string, HelperSignature>;

export type WebArenaHelperName = keyof typeof WEBARENA_HELPERS;

const isHelperName = (name: string): name is WebArenaHelperName => Object.hasOwn(WEBARENA_HELPERS, name);

/** Python's escapes in a string literal (the configs use none beyond quotes and backslashes). */
const PY_ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"' };

/** Splits `a, 'b, c', "d"` at top-level commas; null when a quote is left open. */
const splitArgs = (text: string): string[] | null => {
  const args: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i] ?? '';
    if (quote !== undefined) {
      current += ch;
      if (ch === '\\') {
        current += text[i + 1] ?? '';
        i += 1;
      } else if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      current += ch;
    } else if (ch === ',') {
      args.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (quote !== undefined) return null;
  if (current.trim() !== '' || args.length > 0) args.push(current.trim());
  return args;
};

const parseArg = (text: string): HelperArg | undefined => {
  if (text === '__page__' || text === 'page') return { kind: 'page' };
  const m = /^(['"])([\s\S]*)\1$/.exec(text);
  if (!m) return undefined;
  return { kind: 'string', value: (m[2] ?? '').replace(/\\(.)/g, (_, c: string) => PY_ESCAPES[c] ?? `\\${c}`) };
};

/**
 * Parses `func:NAME(ARGS)` for the given place. `lastUrl` replaces `__last_url__` in the text
 * first, as WebArena does. Returns the call, or the reason it cannot be run (unknown helper,
 * wrong place, wrong arguments, not a call).
 */
export const parseHelperCall = (text: string, place: HelperPlace, lastUrl = ''): HelperCall | { unsupported: string } => {
  const source = text.trim().replace(/^func:/, '').replaceAll('__last_url__', lastUrl);
  const m = /^([A-Za-z_]\w*)\s*\(([\s\S]*)\)$/.exec(source.trim());
  if (!m) return { unsupported: `"${text}" is not a helper call (expected func:NAME(ARGS))` };
  const name = m[1] ?? '';
  if (!isHelperName(name)) return { unsupported: `unknown helper ${name} (known: ${Object.keys(WEBARENA_HELPERS).join(', ')})` };
  const signature: HelperSignature = WEBARENA_HELPERS[name];
  if (signature.place !== place) return { unsupported: `helper ${name} computes a ${signature.place === 'url' ? 'URL' : 'value'}, but it is used as the target's ${place}` };
  const raw = splitArgs(m[2] ?? '');
  const args = raw?.map(parseArg);
  const wanted = `${name}(${signature.args.map((kind) => (kind === 'page' ? '__page__' : "'…'")).join(', ')})`;
  if (!args || args.some((a) => a === undefined) || args.length !== signature.args.length || args.some((a, i) => a?.kind !== signature.args[i])) {
    return { unsupported: `"${text}" does not call ${wanted}` };
  }
  return { name, args: args as HelperArg[] };
};

/** The string argument at `index` (parseHelperCall checked the kinds). */
export const stringArg = (call: HelperCall, index: number): string => {
  const arg = call.args[index];
  return arg?.kind === 'string' ? arg.value : '';
};

/** `scheme://netloc`, the path (without `;params`), of a URL as Python's urlparse splits it. */
const splitUrl = (url: string): { origin: string; path: string } | undefined => {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*:)\/\/([^/?#]*)([^?#]*)/.exec(url);
  if (!m) return undefined;
  const path = m[3] ?? '';
  const lastSlash = path.lastIndexOf('/');
  const semicolon = path.indexOf(';', lastSlash < 0 ? 0 : lastSlash);
  return { origin: `${m[1] ?? ''}//${m[2] ?? ''}`, path: semicolon >= 0 ? path.slice(0, semicolon) : path };
};

/**
 * WebArena's `reddit_get_post_url`: a post or comment URL `…/f/<forum>/<post id>/…` becomes the
 * post's URL `…/f/<forum>/<post id>/`; anything else is returned as it is. WebArena's forum sits
 * at the root of its host; when `base` (the forum's base URL) has a path, the rule applies to
 * the path below it, which is the same rule for a forum served under a prefix.
 */
export const redditPostUrl = (url: string, base?: string): string => {
  const parts = splitUrl(url);
  if (!parts) return url;
  const prefix = base === undefined ? undefined : splitUrl(base.replace(/\/+$/, ''));
  let root = parts.origin;
  let path = parts.path;
  if (prefix && prefix.path !== '' && prefix.origin === parts.origin && (path === prefix.path || path.startsWith(`${prefix.path}/`))) {
    root = `${prefix.origin}${prefix.path}`;
    path = path.slice(prefix.path.length);
  }
  const tokens = path.split('/');
  if (tokens.length < 4 || tokens[1] !== 'f') return url;
  return `${root}/f/${tokens[2] ?? ''}/${tokens[3] ?? ''}/`;
};
