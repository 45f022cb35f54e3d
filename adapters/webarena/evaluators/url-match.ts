import { evaluatorResult, type EvaluatorResult } from './evaluator-result.js';

export interface UrlMatchOptions {
  /**
   * Base comparison. Default (false): WebArena's rule, some reference base (host + path) is a
   * substring of the prediction's, which also accepts longer paths (webarena #77). True: equal.
   */
  strict?: boolean;
}

/** Python's `str.rstrip('/')`. */
const stripSlashes = (url: string): string => url.replace(/\/+$/, '');

/** Python's `urllib.parse.unquote_plus`: `+` → space, %XX → UTF-8, bad sequences kept or U+FFFD. */
const unquotePlus = (text: string): string =>
  text.replace(/\+/g, ' ').replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
    const bytes = Uint8Array.from(run.slice(1).split('%'), (hex) => Number.parseInt(hex, 16));
    return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  });

/**
 * Python's `urlparse` as WebArena uses it: `netloc + path` (no scheme, no `;params`, no query
 * or fragment) and `parse_qs(query)` (blank values and fields without `=` dropped). The base is
 * not stripped: WebArena strips `/` only from the end of the whole URL, so the base of
 * `…/issues/?state=opened` keeps its slash (22 of the real configs have that shape).
 */
export const parseUrlLikePython = (url: string): { base: string; query: Map<string, string[]> } => {
  let rest = url;
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const scheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:/.exec(rest);
  if (scheme) rest = rest.slice(scheme[0].length);
  let netloc = '';
  if (rest.startsWith('//')) {
    const end = rest.slice(2).search(/[/?#]/);
    netloc = end < 0 ? rest.slice(2) : rest.slice(2, end + 2);
    rest = end < 0 ? '' : rest.slice(end + 2);
  }
  const qmark = rest.indexOf('?');
  let path = qmark < 0 ? rest : rest.slice(0, qmark);
  const queryText = qmark < 0 ? '' : rest.slice(qmark + 1);
  // urlparse splits `;params` off the last path segment.
  const semicolon = path.indexOf(';', path.lastIndexOf('/'));
  if (semicolon >= 0) path = path.slice(0, semicolon);
  const query = new Map<string, string[]>();
  for (const field of queryText.split('&')) {
    const eq = field.indexOf('=');
    if (eq < 0) continue;
    const value = unquotePlus(field.slice(eq + 1));
    if (value === '') continue;
    const key = unquotePlus(field.slice(0, eq));
    query.set(key, [...(query.get(key) ?? []), value]);
  }
  return { base: netloc + path, query };
};

/**
 * WebArena's url_match. `referenceUrl` holds alternatives joined by ` |OR| ` (placeholders
 * already resolved). Trailing `/` are stripped from each whole URL (so `…/issues/?q=1` keeps
 * its slash, as in WebArena); base = host + path. Base score: some reference base is a
 * substring of the prediction's (in `strict` mode: equal, trailing slashes aside). Query score: every query key
 * of the references (merged over all alternatives, as WebArena does) has one of its values in
 * the prediction. Score = base × query. Never throws.
 */
export const urlMatch = (referenceUrl: string, predictionUrl: string, options: UrlMatchOptions = {}): EvaluatorResult => {
  const strict = options.strict === true;
  const references = referenceUrl.split(' |OR| ').map((url) => parseUrlLikePython(stripSlashes(url)));
  const prediction = parseUrlLikePython(stripSlashes(predictionUrl));
  const referenceQuery = new Map<string, Set<string>>();
  for (const ref of references) {
    for (const [key, values] of ref.query) {
      const set = referenceQuery.get(key) ?? new Set<string>();
      for (const value of values) set.add(value);
      referenceQuery.set(key, set);
    }
  }
  const bases = references.map((ref) => ref.base);
  const baseOk = bases.some((base) => (strict ? stripSlashes(prediction.base) === stripSlashes(base) : prediction.base.includes(base)));
  const missingQuery: Record<string, string[]> = {};
  for (const [key, values] of referenceQuery) {
    const got = prediction.query.get(key) ?? [];
    if (![...values].some((value) => got.includes(value))) missingQuery[key] = [...values];
  }
  const queryOk = Object.keys(missingQuery).length === 0;
  const details = {
    reference: referenceUrl,
    prediction: predictionUrl,
    reference_bases: bases,
    prediction_base: prediction.base,
    mode: strict ? 'strict' : 'substring',
    base_score: baseOk ? 1 : 0,
    query_score: queryOk ? 1 : 0,
    ...(queryOk ? {} : { missing_query: missingQuery }),
  };
  if (baseOk && queryOk) return evaluatorResult('url_match', 1, details);
  const why = !baseOk
    ? `"${prediction.base}" ${strict ? 'equals' : 'contains'} none of ${bases.map((b) => `"${b}"`).join(', ')}`
    : `query lacks ${Object.entries(missingQuery).map(([k, v]) => `${k}=${v.join('|')}`).join(', ')}`;
  return evaluatorResult('url_match', 0, details, why);
};
