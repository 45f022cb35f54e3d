import { z } from 'zod';

/** A site's registered name (`webshop`, `webarena`, or a site of the registry): lowercase, no spaces. */
export const envNameSchema = z.string().regex(/^[a-z][a-z0-9_-]*$/, 'a site name: lowercase letters, digits, _ or -');
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
