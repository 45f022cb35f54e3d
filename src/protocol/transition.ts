import { z } from 'zod';
import { observationSchema, sourceSchema } from './observation.js';
import { stepInfoSchema } from './step-result.js';
import { envNameSchema } from './task.js';

/** One line of `transitions.jsonl`, appended as the step happens. */
export const transitionSchema = z.object({
  run_id: z.string(),
  episode_id: z.string(),
  task_id: z.string(),
  env: envNameSchema,
  source: sourceSchema,
  step: z.number().int().nonnegative(),
  state: observationSchema,
  action: z.string(),
  thought: z.string().optional(),
  next_state: observationSchema,
  reward: z.number(),
  done: z.boolean(),
  truncated: z.boolean(),
  info: stepInfoSchema,
});

export type Transition = z.infer<typeof transitionSchema>;
