import { z } from 'zod';
import { observationSchema } from './observation.js';

/** What `Env.step()` returns. `info` carries latency, errors, reward components and more. */
export const stepInfoSchema = z
  .object({
    latency_ms: z.number().nonnegative(),
    error: z.string().optional(),
    reward_components: z.record(z.string(), z.union([z.number(), z.boolean(), z.null()])).optional(),
    retrieved: z.array(z.string()).optional(),
  })
  .catchall(z.unknown());

export const stepResultSchema = z.object({
  observation: observationSchema,
  reward: z.number(),
  done: z.boolean(),
  truncated: z.boolean(),
  info: stepInfoSchema,
});

export type StepInfo = z.infer<typeof stepInfoSchema>;
export type StepResult = z.infer<typeof stepResultSchema>;
