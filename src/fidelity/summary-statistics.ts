/** Arithmetic mean; 0 for no values (callers report n alongside, so 0 is never read as data). */
export const mean = (values: readonly number[]): number => {
  if (values.length === 0) return 0;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
};

/**
 * The q-quantile with linear interpolation between order statistics (R's type 7, numpy's
 * default), so p95 of a handful of steps is a value between two observed ones rather than a
 * jump. 0 for no values.
 */
export const quantile = (values: readonly number[], q: number): number => {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const position = Math.min(Math.max(q, 0), 1) * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const a = sorted[lower] ?? 0;
  const b = sorted[upper] ?? a;
  return a + (b - a) * (position - lower);
};

/** Largest value; 0 for no values. */
export const maximum = (values: readonly number[]): number => {
  let best = values.length === 0 ? 0 : Number.NEGATIVE_INFINITY;
  for (const v of values) if (v > best) best = v;
  return best;
};
