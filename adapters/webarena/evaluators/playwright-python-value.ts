import type { PyDict, PyValue } from '../../../src/python/python-value.js';

/**
 * A `page.evaluate` result as Playwright's Python client receives it, so that WebArena's
 * `str(page.evaluate(locator))` can be printed with Python's `str()`: null/undefined → None,
 * integral numbers below 1e21 → int (they arrive as JSON integers), other numbers → float,
 * arrays → list, plain objects → dict in key order. Dates become their ISO text.
 */
export const fromPlaywrightValue = (value: unknown): PyValue => {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    return Number.isInteger(value) && Math.abs(value) < 1e21 && !Object.is(value, -0) ? BigInt(value) : value;
  }
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(fromPlaywrightValue);
  if (typeof value === 'object') {
    const dict: PyDict = new Map();
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) dict.set(k, fromPlaywrightValue(v));
    return dict;
  }
  return String(value);
};
