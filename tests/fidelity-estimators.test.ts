import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import {
  bootstrapMeanInterval,
  computeFidelity,
  discountedBound,
  fidelityBound,
  finiteHorizonBound,
  pooledProportion,
  quantile,
  stepDelta,
  textSimilarity,
  wilsonInterval,
} from '../src/fidelity/index.js';
import { shadowLineSchema, type ShadowLine } from '../src/protocol/index.js';

interface SyntheticOptions {
  seed: string;
  steps: number;
  k: number;
  /** Per-step probability that a sample's key differs from the real one (the step's TV). */
  tv: (random: () => number) => number;
  /** Per-step probability that a sample's reward is wrong (|r̂ − r| = 1). */
  rewardMiss: (random: () => number) => number;
  pageTypes?: readonly string[];
}

/** Shadow lines whose true ε_P and ε_R are the means of the per-step probabilities drawn. */
const synthetic = (o: SyntheticOptions): ShadowLine[] => {
  const random = seedrandom(o.seed);
  const pageTypes = o.pageTypes ?? ['search', 'results', 'item'];
  return Array.from({ length: o.steps }, (_, i) => {
    const tv = o.tv(random);
    const miss = o.rewardMiss(random);
    const rewardReal = random() < 0.3 ? 1 : 0;
    const samples = Array.from({ length: o.k }, (_, j) => {
      const wrongKey = random() < tv;
      const wrongReward = random() < miss;
      return {
        text: wrongKey ? `dreamed ${i}.${j}` : `real ${i}`,
        reward: wrongReward ? 1 - rewardReal : rewardReal,
        done: false,
        reasoning: '',
        key: wrongKey ? `other|${j}` : `key|${i}`,
        text_similarity: wrongKey ? 0.5 : 1,
        retrieved: [],
      };
    });
    return shadowLineSchema.parse({
      run_id: 'r',
      episode_id: `e${Math.floor(i / 5)}`,
      task_id: String(i),
      step: i % 5,
      page_type: pageTypes[i % pageTypes.length],
      action: 'click[x]',
      real_text: `real ${i}`,
      reward_real: rewardReal,
      done_real: false,
      key_real: `key|${i}`,
      key_version: 'test-key/1',
      samples,
      keys_pred: samples.map((s) => s.key),
      // Deliberately wrong: the estimator must recompute from the samples.
      eps_R: 0,
      tv_hat: 0,
      failed: 0,
      model: 'synthetic',
      model_kind: 'llm',
    });
  });
};

const constant = (p: number) => () => p;
const mixture = (p: number, high: number) => (random: () => number) => (random() < p ? high : 0);

describe('per-step deltas', () => {
  it('recomputes eps_R and tv_hat from the samples, not from the line', () => {
    const [line] = synthetic({ seed: 'd', steps: 1, k: 4, tv: constant(1), rewardMiss: constant(1) });
    const delta = stepDelta(line as ShadowLine);
    expect(delta).toMatchObject({ samples: 4, mismatches: 4, tv_hat: 1, eps_R: 1 });
  });

  it('leaves out a step whose predictions all failed', () => {
    const [line] = synthetic({ seed: 'd', steps: 1, k: 2, tv: constant(0), rewardMiss: constant(0) });
    expect(stepDelta({ ...(line as ShadowLine), samples: [], keys_pred: [], failed: 2 })).toBeUndefined();
  });
});

describe('estimators recover known errors within their intervals', () => {
  it('homogeneous ε_P = 0.2, ε_R = 0.1: estimates close, intervals cover the truth at their level (40 seeds)', () => {
    // A 95% interval misses on about 1 seed in 20: that is its meaning, so coverage is what is checked.
    const runs = 40;
    let pCovered = 0;
    let rCovered = 0;
    for (let seed = 0; seed < runs; seed += 1) {
      const lines = synthetic({ seed: `h${seed}`, steps: 200, k: 5, tv: constant(0.2), rewardMiss: constant(0.1) });
      const report = computeFidelity(lines, { horizon: 15, seed, resamples: 1000 });
      if (report.eps_P.ci_low <= 0.2 && report.eps_P.ci_high >= 0.2) pCovered += 1;
      if (report.eps_R.ci_low <= 0.1 && report.eps_R.ci_high >= 0.1) rCovered += 1;
      expect(Math.abs(report.eps_P.mean - 0.2)).toBeLessThan(0.05);
      expect(Math.abs(report.eps_R.mean - 0.1)).toBeLessThan(0.05);
      expect(report.eps_P.ci_high - report.eps_P.ci_low).toBeLessThan(0.1);
      expect(report).toMatchObject({ steps: 200, samples: 1000, eps_P: { n: 200, samples: 1000 }, eps_R: { n: 200 } });
    }
    expect(pCovered / runs).toBeGreaterThanOrEqual(0.85);
    expect(rCovered / runs).toBeGreaterThanOrEqual(0.85);
  });

  it('intervals keep their coverage when errors cluster by step (design effect)', () => {
    // Per-step TV is 0.8 on 30% of steps and 0 elsewhere: true ε_P (mean TV) = 0.24.
    let covered = 0;
    let naiveCovered = 0;
    let rewardCovered = 0;
    const runs = 60;
    for (let r = 0; r < runs; r += 1) {
      const lines = synthetic({ seed: `cluster-${r}`, steps: 100, k: 5, tv: mixture(0.3, 0.8), rewardMiss: mixture(0.2, 0.5) });
      const report = computeFidelity(lines, { horizon: 15, seed: r, resamples: 1000 });
      if (report.eps_P.ci_low <= 0.24 && report.eps_P.ci_high >= 0.24) covered += 1;
      if (report.eps_R.ci_low <= 0.1 && report.eps_R.ci_high >= 0.1) rewardCovered += 1;
      const pooled = pooledProportion(lines.map((l) => ({ hits: l.samples.filter((s) => s.key !== l.key_real).length, trials: l.samples.length })));
      const naive = wilsonInterval(pooled.proportion, pooled.trials);
      if (naive.low <= 0.24 && naive.high >= 0.24) naiveCovered += 1;
      expect(report.eps_P_design_effect).toBeGreaterThan(2);
    }
    expect(covered / runs).toBeGreaterThanOrEqual(0.85);
    expect(rewardCovered / runs).toBeGreaterThanOrEqual(0.85);
    // Treating the K samples of a step as independent would claim far more certainty than there is.
    expect(naiveCovered / runs).toBeLessThan(0.85);
  });

  it('is deterministic for a seed', () => {
    const lines = synthetic({ seed: 'det', steps: 50, k: 3, tv: constant(0.3), rewardMiss: constant(0.3) });
    expect(computeFidelity(lines, { horizon: 10, seed: 7 })).toEqual(computeFidelity(lines, { horizon: 10, seed: 7 }));
  });
});

describe('intervals stay in [0, 1] and contain their estimate', () => {
  const check = (interval: { low: number; high: number }, estimate: number): void => {
    expect(interval.low).toBeGreaterThanOrEqual(0);
    expect(interval.high).toBeLessThanOrEqual(1);
    expect(interval.low).toBeLessThanOrEqual(estimate);
    expect(interval.high).toBeGreaterThanOrEqual(estimate);
  };

  it('bootstrap: no data, one value, all equal, extremes', () => {
    expect(bootstrapMeanInterval([])).toEqual({ low: 0, high: 1 });
    expect(bootstrapMeanInterval([0.4])).toEqual({ low: 0.4, high: 0.4 });
    expect(bootstrapMeanInterval([0, 0, 0])).toEqual({ low: 0, high: 0 });
    expect(bootstrapMeanInterval([1, 1])).toEqual({ low: 1, high: 1 });
    check(bootstrapMeanInterval([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]), 0.1);
    check(bootstrapMeanInterval([1, 1, 1, 1, 1, 1, 1, 1, 1, 0]), 0.9);
    const wide = bootstrapMeanInterval([0, 1]);
    check(wide, 0.5);
    expect(wide.high - wide.low).toBeGreaterThan(0.5);
  });

  it('Wilson: p = 0, p = 1, n = 0, fractional n', () => {
    expect(wilsonInterval(0.5, 0)).toEqual({ low: 0, high: 1 });
    const zero = wilsonInterval(0, 20);
    check(zero, 0);
    expect(zero.high).toBeGreaterThan(0.1); // 0 of 20 is not proof of 0
    const one = wilsonInterval(1, 20);
    check(one, 1);
    expect(one.low).toBeLessThan(0.9);
    check(wilsonInterval(0.3, 12.5), 0.3);
    // Known value: 10 of 100 → [0.0552, 0.1744] at 95%.
    const known = wilsonInterval(0.1, 100);
    expect(known.low).toBeCloseTo(0.0552, 3);
    expect(known.high).toBeCloseTo(0.1744, 3);
  });

  it('a report where every sample matches and every reward is right', () => {
    const lines = synthetic({ seed: 'perfect', steps: 10, k: 3, tv: constant(0), rewardMiss: constant(0) });
    const report = computeFidelity(lines, { horizon: 5 });
    expect(report.eps_R).toMatchObject({ mean: 0, max: 0, p95: 0, ci_low: 0, ci_high: 0, n: 10 });
    expect(report.eps_P).toMatchObject({ mean: 0, max: 0, ci_low: 0, n: 10 });
    expect(report.eps_P.ci_high).toBeGreaterThan(0);
    expect(report.bound.discounted.sup).toBe(0);
  });

  it('unequal K: the pooled interval is widened to contain the per-step mean', () => {
    const lines = synthetic({ seed: 'unequal', steps: 2, k: 10, tv: constant(0), rewardMiss: constant(0) });
    const [a, b] = lines as [ShadowLine, ShadowLine];
    // Step a: 1 sample, wrong (tv 1). Step b: 10 samples, all right (tv 0). Mean 0.5, pooled 1/11.
    const wrong = { ...a, samples: [{ ...(a.samples[0] as ShadowLine['samples'][number]), key: 'other' }] };
    const report = computeFidelity([wrong, b], { horizon: 5 });
    expect(report.eps_P.mean).toBe(0.5);
    check({ low: report.eps_P.ci_low, high: report.eps_P.ci_high }, 0.5);
  });
});

describe('the bound', () => {
  it('γ form on fixed numbers', () => {
    // 0.1/0.1 + 2·0.9·1·0.05/0.01 = 1 + 9
    expect(discountedBound({ epsR: 0.1, epsP: 0.05, rMax: 1 }, 0.9)).toBeCloseTo(10, 10);
    expect(discountedBound({ epsR: 0.2, epsP: 0.1, rMax: 2 }, 0.5)).toBeCloseTo(0.4 + 0.8, 10);
    expect(discountedBound({ epsR: 0, epsP: 0, rMax: 1 }, 0)).toBe(0);
  });

  it('finite-horizon form on fixed numbers', () => {
    // 15·0.1 + 15·14·1·0.05 = 1.5 + 10.5
    expect(finiteHorizonBound({ epsR: 0.1, epsP: 0.05, rMax: 1 }, 15)).toBeCloseTo(12, 10);
    // One step: only the reward error counts (no later state to get wrong).
    expect(finiteHorizonBound({ epsR: 0.3, epsP: 1, rMax: 1 }, 1)).toBeCloseTo(0.3, 10);
  });

  it('is computed from the max (sup) and from the mean (average case)', () => {
    const bound = fidelityBound({ epsR: 1, epsP: 1 }, { epsR: 0.1, epsP: 0.05 }, { gamma: 0.9, rMax: 1, horizon: 15 });
    expect(bound.discounted.average_case).toBeCloseTo(10, 10);
    expect(bound.discounted.sup).toBeCloseTo(10 + 180, 10);
    expect(bound.discounted.trivial).toBeCloseTo(10, 10);
    expect(bound.finite_horizon).toMatchObject({ horizon: 15, trivial: 15 });
    expect(bound.finite_horizon.average_case).toBeCloseTo(12, 10);
  });

  it('rejects γ ≥ 1, γ < 0, a non-positive R_max and a bad horizon with CONFIG_INVALID', () => {
    const lines = synthetic({ seed: 'v', steps: 3, k: 2, tv: constant(0.5), rewardMiss: constant(0.5) });
    for (const bad of [{ gamma: 1 }, { gamma: -0.1 }, { gamma: Number.NaN }, { rMax: 0 }, { horizon: 0 }, { horizon: 2.5 }]) {
      expect(() => computeFidelity(lines, { horizon: 15, ...bad })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    }
  });
});

describe('report shape', () => {
  it('groups by page type with step counts and keeps failures out of the figures', () => {
    const lines = synthetic({ seed: 'groups', steps: 30, k: 4, tv: constant(0.5), rewardMiss: constant(0), pageTypes: ['search', 'results', 'item'] });
    const failedLine: ShadowLine = { ...(lines[0] as ShadowLine), samples: [], keys_pred: [], failed: 4, errors: ['STEP_TIMEOUT: too slow'] };
    const partial: ShadowLine = { ...(lines[1] as ShadowLine), failed: 1, errors: ['MODEL_REQUEST_FAILED: 500'] };
    const report = computeFidelity([failedLine, partial, ...lines.slice(2)], { horizon: 15, gamma: 0.5, rMax: 2 });
    expect(Object.keys(report.by_page_type)).toEqual(['item', 'results', 'search']);
    expect(report.by_page_type['search']?.steps).toBe(9); // step 0 lost all its predictions
    expect(report.by_page_type['results']?.steps).toBe(10);
    expect(report.by_page_type['item']?.steps).toBe(10);
    expect(report.by_page_type['item']?.eps_P.n).toBe(10);
    expect(report.by_page_type['item']?.samples).toBe(40);
    expect(report).toMatchObject({ steps: 29, lines: 30, failed_predictions: 5, steps_without_samples: 1, gamma: 0.5, r_max: 2, horizon: 15 });
    expect(report.errors).toEqual(['STEP_TIMEOUT: too slow', 'MODEL_REQUEST_FAILED: 500']);
    expect(report).toHaveProperty('eps_R.ci_low');
    expect(report).toHaveProperty('bound.discounted.sup');
    expect(report).toHaveProperty('bound.finite_horizon.average_case');
  });

  it('says SHADOW_DATA_MISSING when no prediction succeeded', () => {
    const [line] = synthetic({ seed: 'none', steps: 1, k: 2, tv: constant(0), rewardMiss: constant(0) });
    const failed: ShadowLine = { ...(line as ShadowLine), samples: [], keys_pred: [], failed: 2, errors: ['MODEL_REQUEST_FAILED: down'] };
    expect(() => computeFidelity([failed], { horizon: 15 })).toThrow(/none of the 1 shadow lines.*MODEL_REQUEST_FAILED: down/);
    expect(() => computeFidelity([], { horizon: 15 })).toThrow(expect.objectContaining({ code: 'SHADOW_DATA_MISSING' }));
  });
});

describe('helpers', () => {
  it('p95 interpolates between order statistics', () => {
    expect(quantile([0, 1], 0.95)).toBeCloseTo(0.95, 10);
    expect(quantile([5], 0.95)).toBe(5);
    expect(quantile(Array.from({ length: 101 }, (_, i) => i), 0.95)).toBe(95);
  });

  it('text similarity is order-insensitive, in [0, 1] and cheap on long texts', () => {
    expect(textSimilarity('a b c', 'a b c')).toBe(1);
    expect(textSimilarity('Back to Search [SEP] Page 1', 'page 1 [SEP] back TO search')).toBe(1);
    expect(textSimilarity('alpha beta', 'gamma delta')).toBe(0);
    expect(textSimilarity('a b c d', 'a b x y')).toBeCloseTo(0.5, 10);
    expect(textSimilarity('', 'x')).toBe(0);
    const long = Array.from({ length: 200_000 }, (_, i) => `w${i % 977}`).join(' ');
    const started = performance.now();
    const s = textSimilarity(long, `${long} extra`);
    expect(performance.now() - started).toBeLessThan(500);
    expect(s).toBeGreaterThan(0.9);
  });
});
