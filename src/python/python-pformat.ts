// Python's `pprint.pformat()`, which Jinja's `{{ value | pprint }}` prints (the WebShop done page).

import { sortedPyEntries } from './python-order.js';
import { pySafeRepr, pyStrRepr } from './python-repr.js';
import { PyTuple, type PyKey, type PyValue } from './python-value.js';

/** Python's len(str): code points, not UTF-16 units. */
function pyLen(s: string): number {
  return s.length - (s.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g)?.length ?? 0);
}

// Python's str.isspace() set (which re's \s uses); JS \s differs (U+FEFF in, U+001C-U+001F, U+0085 out).
const PY_SPACE = '\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';
// str.splitlines() boundaries; \r\n counts as one.
const LINE_ENDS = '\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029';

/** `str.splitlines(keepends=True)`. */
function splitLinesKeepEnds(s: string): string[] {
  const lines: string[] = [];
  let from = 0;
  for (let i = 0; i < s.length; i += 1) {
    if (!LINE_ENDS.includes(s.charAt(i))) continue;
    if (s.startsWith('\r\n', i)) i += 1;
    lines.push(s.slice(from, i + 1));
    from = i + 1;
  }
  if (from < s.length) lines.push(s.slice(from));
  return lines;
}

/** `re.findall(r'\S*\s*', line)` without the final empty match: words with their trailing blanks. */
function wordsWithTrailingSpace(line: string): string[] {
  const parts: string[] = [];
  let p = 0;
  while (p < line.length) {
    const start = p;
    while (p < line.length && !PY_SPACE.includes(line.charAt(p))) p += 1;
    while (p < line.length && PY_SPACE.includes(line.charAt(p))) p += 1;
    parts.push(line.slice(start, p));
  }
  return parts;
}

/**
 * `pprint.pformat(v, width=width)` with the defaults indent=1, depth=None, compact=False,
 * sort_dicts=True: a port of CPython 3.10's PrettyPrinter._format and its dict/list/tuple/str
 * handlers (the layout depends on every detail, so the structure follows CPython closely).
 */
export function pyPformat(v: PyValue, width = 80): string {
  const out: string[] = [];
  const cache = new Map<object, string>();
  const active = new Set<object>();
  const safeRepr = (x: PyValue): string => pySafeRepr(x, cache);

  const format = (obj: PyValue, indent: number, allowance: number, level: number): void => {
    const rep = safeRepr(obj);
    if (pyLen(rep) > width - indent - allowance && obj !== null && typeof obj === 'object' && !active.has(obj)) {
      active.add(obj);
      if (obj instanceof Map) pprintDict(obj, indent, allowance, level + 1);
      else if (obj instanceof PyTuple) pprintTuple(obj, indent, allowance, level + 1);
      else pprintList(obj, indent, allowance, level + 1);
      active.delete(obj);
      return;
    }
    if (typeof obj === 'string' && pyLen(rep) > width - indent - allowance) {
      pprintStr(obj, indent, allowance, level + 1);
      return;
    }
    out.push(rep);
  };

  const pprintDict = (dict: Map<PyKey, PyValue>, indent: number, allowance: number, level: number): void => {
    out.push('{');
    const entries = sortedPyEntries(dict);
    const itemIndent = indent + 1;
    entries.forEach(([key, value], i) => {
      const last = i === entries.length - 1;
      const keyRep = safeRepr(key);
      out.push(keyRep, ': ');
      format(value, itemIndent + pyLen(keyRep) + 2, last ? allowance + 1 : 1, level);
      if (!last) out.push(`,\n${' '.repeat(itemIndent)}`);
    });
    out.push('}');
  };

  const formatItems = (items: readonly PyValue[], indent: number, allowance: number, level: number): void => {
    const itemIndent = indent + 1;
    items.forEach((item, i) => {
      const last = i === items.length - 1;
      if (i > 0) out.push(`,\n${' '.repeat(itemIndent)}`);
      format(item, itemIndent, last ? allowance : 1, level);
    });
  };

  const pprintList = (list: readonly PyValue[], indent: number, allowance: number, level: number): void => {
    out.push('[');
    formatItems(list, indent, allowance + 1, level);
    out.push(']');
  };

  const pprintTuple = (tuple: PyTuple, indent: number, allowance: number, level: number): void => {
    const end = tuple.items.length === 1 ? ',)' : ')';
    out.push('(');
    formatItems(tuple.items, indent, allowance + end.length, level);
    out.push(end);
  };

  // Long strings become adjacent literals split after whitespace, parenthesised at top level.
  const pprintStr = (s: string, indent: number, allowance: number, level: number): void => {
    const chunks: string[] = [];
    const lines = splitLinesKeepEnds(s);
    if (level === 1) {
      indent += 1;
      allowance += 1;
    }
    const maxWidth = width - indent;
    let maxWidth1 = maxWidth;
    lines.forEach((line, i) => {
      const lastLine = i === lines.length - 1;
      const rep = pyStrRepr(line);
      if (lastLine) maxWidth1 -= allowance;
      if (pyLen(rep) <= maxWidth1) {
        chunks.push(rep);
        return;
      }
      const parts = wordsWithTrailingSpace(line);
      let maxWidth2 = maxWidth;
      let current = '';
      parts.forEach((part, j) => {
        const candidate = current + part;
        if (j === parts.length - 1 && lastLine) maxWidth2 -= allowance;
        if (pyLen(pyStrRepr(candidate)) > maxWidth2) {
          if (current) chunks.push(pyStrRepr(current));
          current = part;
        } else {
          current = candidate;
        }
      });
      if (current) chunks.push(pyStrRepr(current));
    });
    if (chunks.length <= 1) {
      out.push(pyStrRepr(s));
      return;
    }
    out.push(`${level === 1 ? '(' : ''}${chunks.join(`\n${' '.repeat(indent)}`)}${level === 1 ? ')' : ''}`);
  };

  format(v, 0, 0, 0);
  return out.join('');
}
