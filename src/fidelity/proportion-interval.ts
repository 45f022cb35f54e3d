import { DEFAULT_CONFIDENCE, containing, normalQuantile, type ConfidenceInterval } from './confidence-interval.js';

/**
 * Wilson score interval for a proportion p̂ observed over n trials (n may be fractional: an
 * effective sample size). Unlike the normal (Wald) interval it stays inside [0, 1] and does not
 * collapse to a point at p̂ = 0 or 1, which is exactly where a good model's ε_P lives.
 * n = 0 → [0, 1].
 */
export const wilsonInterval = (proportion: number, n: number, confidence = DEFAULT_CONFIDENCE): ConfidenceInterval => {
  if (!(n > 0)) return { low: 0, high: 1 };
  const p = Math.min(Math.max(proportion, 0), 1);
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return containing({ low: centre - half, high: centre + half }, p, 0, 1);
};

/** One cluster of Bernoulli trials: the K samples of one real step. */
export interface ProportionCluster {
  /** Trials with the outcome (samples whose key differs from the real one). */
  hits: number;
  trials: number;
}

/** A pooled proportion with its effective sample size. */
export interface PooledProportion {
  proportion: number;
  trials: number;
  /** Kish design effect ≥ 1: how much the clustering inflates the binomial variance. */
  designEffect: number;
  effectiveTrials: number;
}

/**
 * The pooled proportion Σhits / Σtrials over clusters and its design effect. The K samples of one
 * step share the same (s, a), so they are not independent: a step the model always gets wrong
 * contributes K misses at once. The cluster-robust (ratio-estimator) variance
 * `n/(n−1) · Σ(hits_i − p̂·trials_i)² / (Σtrials)²` divided by the binomial `p̂(1−p̂)/Σtrials`
 * is the design effect; the Wilson interval then uses Σtrials / deff trials. With one cluster,
 * p̂ ∈ {0, 1}, or a deff below 1 (sampling noise) the design effect is 1: plain pooled Wilson.
 */
export const pooledProportion = (clusters: readonly ProportionCluster[]): PooledProportion => {
  let hits = 0;
  let trials = 0;
  for (const c of clusters) {
    hits += c.hits;
    trials += c.trials;
  }
  const proportion = trials > 0 ? hits / trials : 0;
  const n = clusters.length;
  let designEffect = 1;
  if (n > 1 && proportion > 0 && proportion < 1) {
    let squares = 0;
    for (const c of clusters) squares += (c.hits - proportion * c.trials) ** 2;
    const clustered = ((n / (n - 1)) * squares) / (trials * trials);
    const binomial = (proportion * (1 - proportion)) / trials;
    designEffect = Math.max(1, clustered / binomial);
  }
  return { proportion, trials, designEffect, effectiveTrials: trials / designEffect };
};
