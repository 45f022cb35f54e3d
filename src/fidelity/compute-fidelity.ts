import { ShadowDataMissingError } from '../env/errors.js';
import type { ShadowLine } from '../protocol/index.js';
import { bootstrapMeanInterval, DEFAULT_BOOTSTRAP_RESAMPLES } from './bootstrap-interval.js';
import { containing, DEFAULT_CONFIDENCE } from './confidence-interval.js';
import type { FidelityFigure, FidelityReport, PageTypeFidelity } from './fidelity-report.js';
import { pooledProportion, wilsonInterval } from './proportion-interval.js';
import { DEFAULT_GAMMA, DEFAULT_R_MAX, fidelityBound, validateGamma, validateHorizon, validateRMax } from './simulation-bound.js';
import { stepDelta, type StepDelta } from './step-delta.js';
import { maximum, mean, quantile } from './summary-statistics.js';

/** Options of `computeFidelity`. */
export interface FidelityOptions {
  /** Discount of the lemma's γ form, 0 ≤ γ < 1. Default 0.9. */
  gamma?: number;
  /** Largest absolute one-step reward. Default 1 (WebShop, WebArena). */
  rMax?: number;
  /** H of the finite-horizon form: the episodes' max steps. Required. */
  horizon: number;
  /** Seed of the bootstrap resampling. Default 0. */
  seed?: number;
  /** Bootstrap resamples. Default 2000. */
  resamples?: number;
  /** Confidence level of both intervals. Default 0.95. */
  confidence?: number;
}

const MAX_ERRORS_LISTED = 5;

/** The ε_R figure of a set of steps. */
export const rewardErrorFigure = (deltas: readonly StepDelta[], options: { seed?: number | string; resamples?: number; confidence?: number } = {}): FidelityFigure => {
  const values = deltas.map((d) => d.eps_R);
  const ci = bootstrapMeanInterval(values, options);
  return {
    mean: mean(values),
    p95: quantile(values, 0.95),
    max: maximum(values),
    ci_low: ci.low,
    ci_high: ci.high,
    n: deltas.length,
    samples: deltas.reduce((sum, d) => sum + d.samples, 0),
  };
};

/** The ε_P figure of a set of steps, with the design effect of its interval. */
export const transitionErrorFigure = (deltas: readonly StepDelta[], confidence = DEFAULT_CONFIDENCE): FidelityFigure & { design_effect: number } => {
  const values = deltas.map((d) => d.tv_hat);
  const pooled = pooledProportion(deltas.map((d) => ({ hits: d.mismatches, trials: d.samples })));
  const estimate = mean(values);
  // Pooled and per-step means agree when every step has the same K; with unequal K the interval
  // is widened to contain the per-step mean it is printed with.
  const ci = deltas.length === 0 ? { low: 0, high: 1 } : containing(wilsonInterval(pooled.proportion, pooled.effectiveTrials, confidence), estimate, 0, 1);
  return {
    mean: estimate,
    p95: quantile(values, 0.95),
    max: maximum(values),
    ci_low: ci.low,
    ci_high: ci.high,
    n: deltas.length,
    samples: pooled.trials,
    design_effect: pooled.designEffect,
  };
};

const distinctJoined = (values: Iterable<string>): string => [...new Set(values)].sort().join(', ');

const modelKind = (lines: readonly ShadowLine[]): FidelityReport['model_kind'] => {
  const kinds = new Set(lines.map((l) => l.model_kind));
  if (kinds.size === 1) return lines[0]?.model_kind ?? 'llm';
  return 'mixed';
};

const withoutDesignEffect = ({ design_effect: _unused, ...figure }: FidelityFigure & { design_effect: number }): FidelityFigure => figure;

/**
 * ε_R and ε_P of an experience model measured on real steps (one shadow line each), overall and
 * per page type, with intervals and DreamGym's bound in its γ and finite-horizon forms. Pure and
 * deterministic for a given seed. Throws SHADOW_DATA_MISSING when no line has a successful
 * prediction (nothing to measure), CONFIG_INVALID for a bad γ, R_max or horizon.
 */
export const computeFidelity = (lines: readonly ShadowLine[], options: FidelityOptions): FidelityReport => {
  const gamma = validateGamma(options.gamma ?? DEFAULT_GAMMA);
  const rMax = validateRMax(options.rMax ?? DEFAULT_R_MAX);
  const horizon = validateHorizon(options.horizon);
  const seed = options.seed ?? 0;
  const resamples = options.resamples ?? DEFAULT_BOOTSTRAP_RESAMPLES;
  const confidence = options.confidence ?? DEFAULT_CONFIDENCE;

  const deltas: StepDelta[] = [];
  const errors = new Set<string>();
  let failed = 0;
  for (const line of lines) {
    failed += line.failed;
    for (const e of line.errors ?? []) if (errors.size < MAX_ERRORS_LISTED) errors.add(e);
    const delta = stepDelta(line);
    if (delta !== undefined) deltas.push(delta);
  }
  if (deltas.length === 0) {
    throw new ShadowDataMissingError(
      lines.length === 0
        ? 'no shadow lines to measure'
        : `none of the ${lines.length} shadow lines has a successful prediction (${failed} failed${errors.size > 0 ? `, e.g. ${[...errors][0]}` : ''})`,
      { details: { lines: lines.length, failed_predictions: failed } },
    );
  }

  const figureOptions = { seed, resamples, confidence };
  const epsP = transitionErrorFigure(deltas, confidence);
  const epsR = rewardErrorFigure(deltas, figureOptions);

  const groups = new Map<string, StepDelta[]>();
  for (const d of deltas) {
    const group = groups.get(d.page_type);
    if (group) group.push(d);
    else groups.set(d.page_type, [d]);
  }
  const byPageType: Record<string, PageTypeFidelity> = {};
  for (const [pageType, group] of [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const figure = rewardErrorFigure(group, { ...figureOptions, seed: `${seed}:${pageType}` });
    byPageType[pageType] = { steps: group.length, samples: figure.samples, eps_R: figure, eps_P: withoutDesignEffect(transitionErrorFigure(group, confidence)) };
  }

  return {
    version: 'fidelity/1',
    eps_R: epsR,
    eps_P: withoutDesignEffect(epsP),
    by_page_type: byPageType,
    bound: fidelityBound({ epsR: epsR.max, epsP: epsP.max }, { epsR: epsR.mean, epsP: epsP.mean }, { gamma, rMax, horizon }),
    gamma,
    r_max: rMax,
    horizon,
    steps: deltas.length,
    lines: lines.length,
    samples: epsR.samples,
    failed_predictions: failed,
    steps_without_samples: lines.length - deltas.length,
    errors: [...errors],
    model: distinctJoined(lines.map((l) => l.model)),
    model_kind: modelKind(lines),
    key_version: distinctJoined(lines.map((l) => l.key_version)),
    eps_P_design_effect: epsP.design_effect,
    confidence,
    bootstrap_resamples: resamples,
    seed,
  };
};
