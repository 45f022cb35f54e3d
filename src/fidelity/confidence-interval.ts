/** A two-sided confidence interval. */
export interface ConfidenceInterval {
  low: number;
  high: number;
}

/** Default confidence level of every interval in a fidelity report. */
export const DEFAULT_CONFIDENCE = 0.95;

/**
 * The standard normal quantile Φ⁻¹(p) (Acklam's rational approximation, relative error < 1.2e-9):
 * enough for interval half-widths, and it keeps the confidence level a free option.
 */
export const normalQuantile = (p: number): number => {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile needs 0 < p < 1, got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const [a0, a1, a2, a3, a4, a5] = a as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = b as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = c as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = d as [number, number, number, number];
  const tail = (q: number): number =>
    (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) / (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1);
};

/**
 * Clamps an interval into [min, max] and widens it to contain `estimate`: a percentile bootstrap
 * or a pooled-proportion interval can, on skewed or unequal-K data, end just short of the
 * per-step mean it is printed next to, and a reader takes "estimate [low, high]" to be nested.
 */
export const containing = (interval: ConfidenceInterval, estimate: number, min = 0, max = Number.POSITIVE_INFINITY): ConfidenceInterval => {
  const e = Math.min(Math.max(estimate, min), max);
  return {
    low: Math.min(Math.max(interval.low, min), e),
    high: Math.max(Math.min(interval.high, max), e),
  };
};
