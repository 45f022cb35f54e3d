// Python's str.strip() whitespace (str.isspace), which differs from JS trim() at the edges:
// it strips \x1c-\x1f and \x85 but not U+FEFF.
const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');

/** Python's `s.strip()`. */
export const pyStrip = (s: string): string => s.replace(PY_STRIP, '');

/**
 * WebArena's `clean_answer`: trim, strip one pair of surrounding single or double quotes,
 * lower-case. As in Python, a lone quote character counts as a pair and becomes "".
 */
export const clean = (s: string): string => {
  let answer = pyStrip(s);
  if ((answer.startsWith("'") && answer.endsWith("'")) || (answer.startsWith('"') && answer.endsWith('"'))) {
    answer = answer.slice(1, -1);
  }
  return answer.toLowerCase();
};

/** `clean` plus runs of whitespace collapsed to one space: the no-judge fuzzy comparison. */
export const normaliseAnswer = (s: string): string => pyStrip(clean(s).replace(/\s+/g, ' '));
