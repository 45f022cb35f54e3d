import { sortedPyEntries } from './python-order.js';
import { isPyPrintable } from './python-printable.js';
import { PyTuple, pyTypeName, type PyValue } from './python-value.js';

/**
 * Python 3.10's `repr()` and `str()` for the value model, so text that Python printed (Jinja's
 * `{{ value }}`, WebArena's `repr(name)` in its accessibility tree, `str()` in its evaluators)
 * comes out byte-identical.
 */

/** Python's `repr(float)`: shortest round-trip digits, exponent form when exp < -4 or exp >= 16. */
export function pyFloatRepr(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const sign = n < 0 ? '-' : '';
  // toExponential() without an argument gives the same shortest round-trip digits as Python's repr.
  const [mantissa = '', expText = '0'] = Math.abs(n).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits.charAt(0)}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  return `${sign}${digits.slice(0, exp + 1).padEnd(exp + 1, '0')}.${digits.slice(exp + 1) || '0'}`;
}

/** Printable ASCII without quotes or backslashes: the common case, quoted as is. */
const PLAIN = /^[\x20-\x26\x28-\x5b\x5d-\x7e]*$/;

/**
 * Python's `repr(str)`: single quotes unless the text holds a single quote and no double quote;
 * backslashes, the chosen quote, \t \n \r and every character Python 3.10 does not consider
 * printable are escaped (`\xNN`, `\uNNNN`, `\UNNNNNNNN`).
 */
export function pyStrRepr(s: string): string {
  if (PLAIN.test(s)) return `'${s}'`;
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  // for..of walks code points, yielding lone surrogates on their own (Python escapes those).
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${hex(cp, 2)}`;
    else if (isPyPrintable(ch)) out += ch;
    else if (cp <= 0xff) out += `\\x${hex(cp, 2)}`;
    else if (cp <= 0xffff) out += `\\u${hex(cp, 4)}`;
    else out += `\\U${hex(cp, 8)}`;
  }
  return out + quote;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** Python's `repr()`. Dicts keep insertion order; a container inside itself prints as `[...]`. */
export function pyRepr(v: PyValue): string {
  return reprOf(v, false, new Set(), new Map());
}

/**
 * pprint's `_safe_repr`: repr with dict keys sorted at every depth. `cache` memoises container
 * reprs, which pformat asks for again at every level.
 */
export function pySafeRepr(v: PyValue, cache: Map<object, string>): string {
  return reprOf(v, true, new Set(), cache);
}

/** Python's `str()`, i.e. what Jinja's `{{ value }}` prints: strings bare, everything else as repr. */
export function pyStr(v: PyValue): string {
  return typeof v === 'string' ? v : pyRepr(v);
}

/** repr, or pprint's `_safe_repr` when `sortDicts`. `active` holds the containers being printed (recursion guard). */
function reprOf(v: PyValue, sortDicts: boolean, active: Set<object>, cache: Map<object, string>): string {
  if (v === null) return 'None';
  if (typeof v === 'string') return pyStrRepr(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return pyFloatRepr(v);
  const cached = cache.get(v);
  if (cached !== undefined) return cached;
  if (active.has(v)) {
    if (sortDicts) return `<Recursion on ${pyTypeName(v)}>`;
    return Array.isArray(v) ? '[...]' : v instanceof PyTuple ? '(...)' : '{...}';
  }
  active.add(v);
  const inner = (x: PyValue): string => reprOf(x, sortDicts, active, cache);
  let rep: string;
  if (Array.isArray(v)) {
    rep = `[${v.map(inner).join(', ')}]`;
  } else if (v instanceof PyTuple) {
    rep = v.items.length === 1 ? `(${inner(v.items[0] as PyValue)},)` : `(${v.items.map(inner).join(', ')})`;
  } else if (v instanceof Map) {
    const entries = sortDicts ? sortedPyEntries(v) : [...v];
    rep = `{${entries.map(([k, x]) => `${inner(k)}: ${inner(x)}`).join(', ')}}`;
  } else {
    // Not a PyValue at runtime: let pyTypeName raise its TypeError.
    rep = pyTypeName(v);
  }
  active.delete(v);
  cache.set(v, rep);
  return rep;
}

