import { z } from 'zod';

export const envNameSchema = z.enum(['webshop', 'webarena']);
export const splitSchema = z.enum(['train', 'eval', 'test']);

/** One task of a site: a goal index (WebShop) or a task config id (WebArena), always a string id. */
export const taskSchema = z.object({
  task_id: z.string().min(1),
  env: envNameSchema,
  split: splitSchema.optional(),
  instruction: z.string().optional(),
  /** Site-specific extras (e.g. an explicit WebShop session id, a WebArena config). */
  config: z.record(z.string(), z.unknown()).optional(),
});

export type EnvName = z.infer<typeof envNameSchema>;
export type Split = z.infer<typeof splitSchema>;
export type Task = z.infer<typeof taskSchema>;
