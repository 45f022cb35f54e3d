import type { FidelityBound } from './simulation-bound.js';

/** One error figure: per-step distribution plus an interval for its mean. */
export interface FidelityFigure {
  /** Mean over steps of the per-step error. */
  mean: number;
  /** 95th percentile over steps (linear interpolation). */
  p95: number;
  /** Largest per-step error: the data's stand-in for the lemma's sup over (s, a). */
  max: number;
  /** Confidence interval of the mean, inside [0, 1] for rewards in [0, 1], containing `mean`. */
  ci_low: number;
  ci_high: number;
  /** Steps behind the figure (steps with at least one successful prediction). */
  n: number;
  /** Successful predictions behind the figure. */
  samples: number;
}

/** The figures of one page type (of the state the action was taken in). */
export interface PageTypeFidelity {
  steps: number;
  samples: number;
  eps_R: FidelityFigure;
  eps_P: FidelityFigure;
}

/** `fidelity.json`: measured ε_R and ε_P of an experience model against real steps, and the bound. */
export interface FidelityReport {
  /** Format of this object. */
  version: 'fidelity/1';
  /** Reward error |r̂ − r|: mean over steps of the per-step mean over samples; percentile bootstrap CI. */
  eps_R: FidelityFigure;
  /**
   * Transition error 1 − P̂(canonical real next state) per step (tv_hat); Wilson CI on the pooled
   * proportion of non-matching samples, with a design effect for the K samples of one step.
   */
  eps_P: FidelityFigure;
  by_page_type: Record<string, PageTypeFidelity>;
  bound: FidelityBound;
  gamma: number;
  r_max: number;
  horizon: number;
  /** Steps with at least one prediction (the n of the figures). */
  steps: number;
  /** Shadow lines read, including steps whose predictions all failed. */
  lines: number;
  /** Successful predictions. */
  samples: number;
  /** Predictions that failed (timeouts, errors); never counted in the figures. */
  failed_predictions: number;
  /** Steps left out because every prediction failed. */
  steps_without_samples: number;
  /** The first few distinct prediction errors, for the report. */
  errors: string[];
  /** Experience model name(s), comma-separated when the file mixes models. */
  model: string;
  /** 'retrieval' means a lookup table over recorded transitions, not a learned model. */
  model_kind: 'llm' | 'retrieval' | 'mixed';
  key_version: string;
  /** Ratio of the clustered to the binomial variance of the pooled mismatch proportion. */
  eps_P_design_effect: number;
  confidence: number;
  bootstrap_resamples: number;
  seed: number;
}
