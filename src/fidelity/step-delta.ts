import type { ShadowLine } from '../protocol/index.js';

/** The fidelity facts of one real step, recomputed from its shadow line's samples. */
export interface StepDelta {
  episode_id: string;
  step: number;
  page_type: string;
  /** Successful predictions (K minus failures). */
  samples: number;
  /** Samples whose canonical key differs from the real next state's. */
  mismatches: number;
  /** Mean over samples of |r̂ − r|. */
  eps_R: number;
  /** 1 − P̂(canonical real next state) = mismatches / samples. */
  tv_hat: number;
  failed: number;
}

/**
 * ε_R and tv_hat of one step, recomputed from the samples rather than read from the line's own
 * `eps_R`/`tv_hat` (written by whatever produced the file; the samples are the evidence).
 * Undefined when every prediction of the step failed: a model that did not answer says nothing
 * about its fidelity, and counting it as a miss would mix availability into ε_P.
 */
export const stepDelta = (line: ShadowLine): StepDelta | undefined => {
  const k = line.samples.length;
  if (k === 0) return undefined;
  let rewardError = 0;
  let mismatches = 0;
  for (const sample of line.samples) {
    rewardError += Math.abs(sample.reward - line.reward_real);
    if (sample.key !== line.key_real) mismatches += 1;
  }
  return {
    episode_id: line.episode_id,
    step: line.step,
    page_type: line.page_type,
    samples: k,
    mismatches,
    eps_R: rewardError / k,
    tv_hat: mismatches / k,
    failed: line.failed,
  };
};
