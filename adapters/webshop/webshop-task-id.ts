import { z } from 'zod';

/**
 * How a reset names a WebShop task: a goal index (`1500`, or `"1500"`), as WebShop's own servers
 * and AgentGym's client do; in dream also the id of a task from a task file or the curriculum
 * (`custom-1`), which the dream task set knows by name.
 */
export const webShopTaskIdSchema = z
  .union([z.number().int().nonnegative(), z.string().regex(/^\d+$/), z.string().min(1).max(255)])
  .describe('WebShop goal index (e.g. 1500); in dream also the id of a task-file or curriculum task');
