import { DreamEnv } from '../dream/dream-env.js';
import type { ExperienceModel } from '../dream/experience-model.js';
import type { Env } from '../env/env.js';
import type { Observation, SiteProfile, Task } from '../protocol/index.js';

export interface DreamContinuationOptions {
  model: ExperienceModel;
  profile: SiteProfile;
  /** The episode's step limit; the dream gets what the real part left of it. Default: the profile's. */
  maxSteps?: number;
}

/**
 * For `--on-budget-exhausted dream`: a dream env whose first state is the real episode's current
 * one, so the episode goes on where the budget stopped it (its steps then say `source: "dream"`).
 * The real steps before it are not part of the model's history.
 */
export const dreamContinuation =
  (options: DreamContinuationOptions) =>
  (_task: Task, observation: Observation, stepsTaken: number): Env =>
    new DreamEnv({
      model: options.model,
      profile: options.profile,
      initialState: () => observation.text,
      maxSteps: Math.max(1, (options.maxSteps ?? options.profile.maxSteps) - stepsTaken),
    });
