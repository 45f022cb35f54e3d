import { z } from 'zod';

/** WebShop's available actions, exactly as its text environment defines them. */
export const webShopAvailableActionsSchema = z.object({
  has_search_bar: z.boolean(),
  clickables: z.array(z.string()),
});

/** WebArena's available actions: the ids of actionable accessibility-tree nodes. */
export const webArenaAvailableActionsSchema = z.object({
  ids: z.array(z.string()),
});

export const availableActionsSchema = z.union([
  webShopAvailableActionsSchema,
  webArenaAvailableActionsSchema,
]);

export const sourceSchema = z.enum(['real', 'dream']);

/**
 * The abstract text state shared by real sites and the experience model (snake_case on the wire
 * and on disk). Real WebShop observations always carry `url`.
 */
export const observationSchema = z.object({
  text: z.string(),
  instruction: z.string(),
  url: z.string().optional(),
  page_type: z.string().optional(),
  available_actions: availableActionsSchema,
  source: sourceSchema,
  last_action_error: z.string().optional(),
});

export type WebShopAvailableActions = z.infer<typeof webShopAvailableActionsSchema>;
export type WebArenaAvailableActions = z.infer<typeof webArenaAvailableActionsSchema>;
export type AvailableActions = z.infer<typeof availableActionsSchema>;
export type Source = z.infer<typeof sourceSchema>;
export type Observation = z.infer<typeof observationSchema>;
