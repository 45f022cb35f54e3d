import { PyTuple, asNumeric, compareNumeric, pyEquals, pyTypeName, type PyKey, type PyValue } from './python-value.js';

// Python's ordering of values: `<` between values that can meet as dict keys, and the key order
// pprint sorts dicts by.

/**
 * Python `a < b` for values that can meet as dict keys; `undefined` where Python raises
 * TypeError ('<' not supported between instances of ...).
 */
export function pyLessThan(a: PyValue, b: PyValue): boolean | undefined {
  const na = asNumeric(a);
  const nb = asNumeric(b);
  if (na !== undefined && nb !== undefined) return compareNumeric(na, nb) === -1;
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b) < 0;
  const sa = Array.isArray(a) ? a : a instanceof PyTuple ? a.items : undefined;
  const sb = Array.isArray(b) ? b : b instanceof PyTuple ? b.items : undefined;
  if (sa !== undefined && sb !== undefined && Array.isArray(a) === Array.isArray(b)) {
    // Sequences compare at the first unequal item, else by length.
    const n = Math.min(sa.length, sb.length);
    for (let i = 0; i < n; i += 1) {
      const x = sa[i] as PyValue;
      const y = sb[i] as PyValue;
      if (!pyEquals(x, y)) return pyLessThan(x, y);
    }
    return sa.length < sb.length;
  }
  return undefined;
}

/** Python orders str by code point; JS `<` compares UTF-16 units, which differs above U+FFFF. */
export function compareCodePoints(a: string, b: string): number {
  // The strings agree up to i, so i is a code point boundary in both.
  for (let i = 0; i < a.length && i < b.length; ) {
    const x = a.codePointAt(i) ?? 0;
    const y = b.codePointAt(i) ?? 0;
    if (x !== y) return x - y;
    i += x > 0xffff ? 2 : 1;
  }
  return a.length - b.length;
}

/**
 * pprint's key order (`sorted(items, key=_safe_tuple)`): Python `<` where it works, otherwise by
 * type name ("<class 'int'>" < "<class 'str'>"); pprint would then compare object ids, which are
 * arbitrary, so such ties keep insertion order.
 */
export function sortedPyEntries(dict: Map<PyKey, PyValue>): Array<[PyKey, PyValue]> {
  const safeLess = (a: PyKey, b: PyKey): boolean => {
    const lt = pyLessThan(a, b);
    if (lt !== undefined) return lt;
    return `<class '${pyTypeName(a)}'>` < `<class '${pyTypeName(b)}'>`;
  };
  return [...dict].sort(([a], [b]) => (safeLess(a, b) ? -1 : safeLess(b, a) ? 1 : 0));
}
