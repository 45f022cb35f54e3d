import { z } from 'zod';

/** One experience-model prediction made in the shadow of a real step. */
export const shadowSampleSchema = z.object({
  text: z.string(),
  reward: z.number(),
  done: z.boolean(),
  reasoning: z.string(),
  /** The site profile's canonical key of the predicted next state. */
  key: z.string(),
  /** Soft similarity of the predicted next-state text to the real one, in [0, 1]. */
  text_similarity: z.number().min(0).max(1),
  /** Ids of the transitions the model retrieved for this prediction. */
  retrieved: z.array(z.string()),
});

/**
 * One line of `shadow.jsonl`: K experience-model predictions from the same (task, history, state,
 * action) as a real step, written when they arrive (never blocking the real step).
 * `eps_R` = mean over samples of |r̂ − r|; `tv_hat` = 1 − (samples whose key equals `key_real`) / K.
 * A prediction that failed is left out of `samples` and counted in `failed` with its error.
 */
export const shadowLineSchema = z.object({
  run_id: z.string(),
  episode_id: z.string(),
  task_id: z.string(),
  step: z.number().int().nonnegative(),
  /** Page type of the state the action was taken in (the profile's). */
  page_type: z.string(),
  action: z.string(),
  /** The real next state's text, reward and canonical key. */
  real_text: z.string(),
  reward_real: z.number(),
  done_real: z.boolean(),
  key_real: z.string(),
  /** Canonical-key version of the site profile that produced the keys. */
  key_version: z.string(),
  samples: z.array(shadowSampleSchema),
  keys_pred: z.array(z.string()),
  eps_R: z.number().min(0),
  tv_hat: z.number().min(0).max(1),
  failed: z.number().int().nonnegative(),
  errors: z.array(z.string()).optional(),
  model: z.string(),
  model_kind: z.enum(['llm', 'retrieval']),
});

export type ShadowSample = z.infer<typeof shadowSampleSchema>;
export type ShadowLine = z.infer<typeof shadowLineSchema>;
