import { z } from 'zod';
import type { AvailableActions } from '../../src/protocol/observation.js';

/** WebArena's available actions: the ids of actionable accessibility-tree nodes. */
export const webArenaAvailableActionsSchema = z.object({
  ids: z.array(z.string()),
});

export type WebArenaAvailableActions = z.infer<typeof webArenaAvailableActionsSchema>;

/** Whether available actions are WebArena's (`{ids}`). */
export const isWebArenaActions = (a: AvailableActions): a is AvailableActions & WebArenaAvailableActions => Array.isArray(a['ids']);

/** The ids of WebArena available actions (none for another site's). */
export const webArenaIds = (a: AvailableActions): string[] => (isWebArenaActions(a) ? a.ids : []);
