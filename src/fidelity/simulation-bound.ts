import { ConfigInvalidError } from '../env/errors.js';

/** Options shared by the two forms of the simulation lemma. */
export interface BoundInputs {
  epsR: number;
  epsP: number;
  /** Largest absolute reward of one step (R_max). */
  rMax: number;
}

/** Default discount of the γ form (the value DreamGym's analysis is usually read at). */
export const DEFAULT_GAMMA = 0.9;
/** Default R_max: WebShop and WebArena rewards lie in [0, 1]. */
export const DEFAULT_R_MAX = 1;

/** Throws CONFIG_INVALID unless 0 ≤ γ < 1 (the γ form diverges at γ = 1). */
export const validateGamma = (gamma: number): number => {
  if (!Number.isFinite(gamma) || gamma < 0 || gamma >= 1) throw new ConfigInvalidError(`gamma must satisfy 0 <= gamma < 1, got ${gamma}`);
  return gamma;
};

/** Throws CONFIG_INVALID unless R_max is a finite number > 0. */
export const validateRMax = (rMax: number): number => {
  if (!Number.isFinite(rMax) || rMax <= 0) throw new ConfigInvalidError(`r_max must be a positive number, got ${rMax}`);
  return rMax;
};

/** Throws CONFIG_INVALID unless H is a positive integer. */
export const validateHorizon = (horizon: number): number => {
  if (!Number.isSafeInteger(horizon) || horizon < 1) throw new ConfigInvalidError(`horizon must be a positive integer, got ${horizon}`);
  return horizon;
};

/** DreamGym's lemma: |J_M(π) − J_M̂(π)| ≤ ε_R/(1−γ) + 2γ·R_max·ε_P/(1−γ)². */
export const discountedBound = ({ epsR, epsP, rMax }: BoundInputs, gamma: number): number => {
  validateGamma(gamma);
  return epsR / (1 - gamma) + (2 * gamma * rMax * epsP) / (1 - gamma) ** 2;
};

/**
 * The same lemma for an undiscounted episode of at most H steps:
 * |J_M(π) − J_M̂(π)| ≤ H·ε_R + H(H−1)·R_max·ε_P.
 *
 * Derivation (the standard simulation-lemma telescoping, as for the γ form). Let V̂_t be the
 * dream value with H − t steps to go, so 0 ≤ V̂_t ≤ (H − t)·R_max for rewards in [0, R_max].
 * Replacing the dream by the real model one step at a time along the real rollout gives
 *   J_M − J_M̂ = Σ_{t=0}^{H−1} E_{s_t,a_t∼(M,π)}[ (R − R̂)(s_t,a_t) + (P − P̂)(·|s_t,a_t)·V̂_{t+1} ].
 * Each reward term is at most ε_R; each transition term at most 2·TV·‖V̂_{t+1}‖∞ ≤
 * 2·ε_P·(H − t − 1)·R_max. Summing, H·ε_R + 2·ε_P·R_max·Σ_{t=0}^{H−1}(H − t − 1)
 * = H·ε_R + 2·ε_P·R_max·H(H−1)/2. (The γ form is the same sum with γ^t weights and
 * ‖V̂‖∞ ≤ γ·R_max/(1−γ) after one step.)
 */
export const finiteHorizonBound = ({ epsR, epsP, rMax }: BoundInputs, horizon: number): number => {
  validateHorizon(horizon);
  return horizon * epsR + horizon * (horizon - 1) * rMax * epsP;
};

/** Both forms of the bound, from the sup estimates and (labelled) from the mean ones. */
export interface FidelityBound {
  discounted: {
    formula: string;
    gamma: number;
    /** From the max per-step errors: the lemma's sup over (s, a) as far as the data shows it. */
    sup: number;
    /**
     * From the mean per-step errors. Not the lemma (it needs the sup): the telescoping above with
     * the errors averaged over the states the measured policy visits; an on-distribution estimate.
     */
    average_case: number;
    /** The bound that needs no model at all: R_max/(1−γ). A figure above it says nothing. */
    trivial: number;
  };
  finite_horizon: {
    formula: string;
    horizon: number;
    sup: number;
    average_case: number;
    /** H·R_max: the largest possible return gap. */
    trivial: number;
  };
}

export const fidelityBound = (
  sup: { epsR: number; epsP: number },
  average: { epsR: number; epsP: number },
  params: { gamma: number; rMax: number; horizon: number },
): FidelityBound => {
  const { gamma, rMax, horizon } = params;
  return {
    discounted: {
      formula: 'eps_R/(1-gamma) + 2*gamma*R_max*eps_P/(1-gamma)^2',
      gamma,
      sup: discountedBound({ ...sup, rMax }, gamma),
      average_case: discountedBound({ ...average, rMax }, gamma),
      trivial: rMax / (1 - gamma),
    },
    finite_horizon: {
      formula: 'H*eps_R + H*(H-1)*R_max*eps_P',
      horizon,
      sup: finiteHorizonBound({ ...sup, rMax }, horizon),
      average_case: finiteHorizonBound({ ...average, rMax }, horizon),
      trivial: horizon * rMax,
    },
  };
};
