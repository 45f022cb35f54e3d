import { z } from 'zod';

/**
 * A site's available actions. The core knows only that they are a JSON object; each site's profile
 * registers its own schema (`SiteProfile.availableActionsSchema`: WebShop `{has_search_bar,
 * clickables}`, WebArena `{ids}`), which the wire schemas and the server's `/schema` are built from.
 */
export const availableActionsSchema = z.record(z.string(), z.unknown());

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

export type AvailableActions = z.infer<typeof availableActionsSchema>;
export type Source = z.infer<typeof sourceSchema>;
export type Observation = z.infer<typeof observationSchema>;
