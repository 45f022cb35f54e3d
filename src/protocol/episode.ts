import { z } from 'zod';
import { envNameSchema } from './task.js';

export const terminationSchema = z.enum([
  'done',
  'max_steps',
  'early_stop',
  'error',
  'budget',
  'closed',
  'interrupted',
]);

/** One line of `episodes.jsonl`, written when an episode finishes. */
export const episodeSchema = z.object({
  run_id: z.string(),
  episode_id: z.string(),
  task_id: z.string(),
  env: envNameSchema,
  source: z.enum(['real', 'dream', 'mixed']),
  steps: z.number().int().nonnegative(),
  total_reward: z.number(),
  success: z.boolean(),
  termination: terminationSchema,
  error: z.string().optional(),
  /** What the env did to restore the site before the episode (e.g. `{resets: [{site, kind, reason, ms, ready_ms}]}`). */
  reset: z.record(z.string(), z.unknown()).optional(),
  started_at: z.string(),
  ended_at: z.string(),
});

export type Termination = z.infer<typeof terminationSchema>;
export type Episode = z.infer<typeof episodeSchema>;
