import { z } from 'zod';

/** How a reset names a WebArena task: its config's `task_id`, a non-negative integer (`45` or `"45"`). */
export const webArenaTaskIdSchema = z
  .union([z.number().int().nonnegative(), z.string().regex(/^\d+$/, 'a WebArena task_id is a non-negative integer (its config id)')])
  .describe("WebArena task config id (the config's task_id, e.g. 45)");
