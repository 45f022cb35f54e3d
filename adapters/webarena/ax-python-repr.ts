/**
 * Python's `repr()` of a string, which WebArena uses to quote node names (`f"[{id}] {role} {repr(name)}"`):
 * single quotes unless the text holds a single quote and no double quote; backslashes, the chosen
 * quote, \t \n \r and every character Python does not consider printable are escaped
 * (`\xNN`, `\uNNNN`, `\UNNNNNNNN`), so `'\ue604 DASHBOARD'` and `' \xa0 '` come out as in WebArena's traces.
 */

/** Python's non-printable categories: Other (Cc Cf Cs Co Cn) and Separators (Zl Zp Zs) except the ASCII space. */
const NON_PRINTABLE = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]$/u;

const hex = (code: number, width: number): string => code.toString(16).padStart(width, '0');

const escapeChar = (ch: string, quote: string): string => {
  if (ch === quote || ch === '\\') return `\\${ch}`;
  if (ch === '\t') return '\\t';
  if (ch === '\n') return '\\n';
  if (ch === '\r') return '\\r';
  const code = ch.codePointAt(0) ?? 0;
  if (code >= 0x20 && code < 0x7f) return ch;
  if (code < 0x20 || code === 0x7f) return `\\x${hex(code, 2)}`;
  if (!NON_PRINTABLE.test(ch)) return ch;
  if (code < 0x100) return `\\x${hex(code, 2)}`;
  if (code < 0x10000) return `\\u${hex(code, 4)}`;
  return `\\U${hex(code, 8)}`;
};

/** Printable ASCII without quotes or backslashes: the common case, quoted as is. */
const PLAIN = /^[\x20-\x26\x28-\x5b\x5d-\x7e]*$/;

export const pythonRepr = (text: string): string => {
  if (PLAIN.test(text)) return `'${text}'`;
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  // for…of walks code points, so astral characters are one unit and lone surrogates stay single.
  for (const ch of text) out += escapeChar(ch, quote);
  return out + quote;
};
