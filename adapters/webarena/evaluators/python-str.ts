// Python's str()/repr() of the values Playwright hands back from `page.evaluate` (WebArena runs
// `str(page.evaluate(locator))`), so a check compares the same text WebArena would.

// Characters Python's repr escapes (str.isprintable() is false): controls, format, surrogates,
// private use, unassigned, and separators other than the plain space.
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

const escapeChar = (ch: string): string => {
  const code = ch.codePointAt(0) ?? 0;
  if (ch === '\\') return '\\\\';
  if (ch === '\n') return '\\n';
  if (ch === '\r') return '\\r';
  if (ch === '\t') return '\\t';
  if (ch === ' ' || !NON_PRINTABLE.test(ch)) return ch;
  if (code < 0x100) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code < 0x10000) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\U${code.toString(16).padStart(8, '0')}`;
};

/** Python's `repr(s)`: single quotes unless the text has `'` and no `"`. */
export const pythonStringRepr = (s: string): string => {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) out += ch === quote ? `\\${ch}` : escapeChar(ch);
  return `${quote}${out}${quote}`;
};

/**
 * Python's `repr(float)`: shortest round-trip digits, scientific notation when the exponent is
 * below -4 or at least 16 (`1e-05`, `1e+16`), otherwise fixed with at least one decimal.
 */
export const pythonFloatRepr = (n: number): string => {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  if (Object.is(n, -0)) return '-0.0';
  const [mantissa = '0', exp = '0'] = n.toExponential().split('e');
  const exponent = Number(exp);
  if (exponent < -4 || exponent >= 16) return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  const fixed = Math.abs(n) < 1e21 ? n.toFixed(Math.max(0, (mantissa.split('.')[1]?.length ?? 0) - exponent)) : String(n);
  return fixed.includes('.') ? fixed : `${fixed}.0`;
};

/**
 * A JS number as Playwright's Python client receives it: integral values below 1e21 arrive as
 * JSON integers (Python int, no decimals), everything else as floats.
 */
const pythonNumber = (n: number): string =>
  Number.isInteger(n) && Math.abs(n) < 1e21 && !Object.is(n, -0) ? BigInt(n).toString() : pythonFloatRepr(n);

/** Python's `repr()` of a value inside a list or dict. */
export const pythonRepr = (value: unknown): string => {
  if (typeof value === 'string') return pythonStringRepr(value);
  return pythonStr(value);
};

/**
 * Python's `str()` of a JS result: null/undefined → `None`, booleans → `True`/`False`,
 * integral numbers without decimals, lists `[1, 'a']` and dicts `{'k': None}` as Python prints
 * them (elements by repr), strings unchanged. Dates print as their ISO text.
 */
export const pythonStr = (value: unknown): string => {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return pythonNumber(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${pythonStringRepr(k)}: ${pythonRepr(v)}`);
    return `{${entries.join(', ')}}`;
  }
  return String(value);
};
