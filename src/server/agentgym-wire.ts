import type { Request } from 'express';
import { z } from 'zod';

/**
 * What AgentGym's WebShop and WebArena clients send alike. Ids come as JSON integers; pydantic
 * would also take "3", so do we.
 */
export const agentGymEnvIdxSchema = z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,15}$/)]);
export const agentGymModeSchema = z.enum(['real', 'dream']).optional();
export const agentGymCreateSchema = z.object({ mode: agentGymModeSchema });
// The action is the model's turn as the client forwards it, so only the body limit bounds it.
export const agentGymStepSchema = z.object({ env_idx: agentGymEnvIdxSchema, action: z.string() });
export const agentGymCloseSchema = z.object({ env_idx: agentGymEnvIdxSchema });
export const agentGymQuerySchema = z.object({ env_idx: z.string().regex(/^\d{1,15}$/, 'env_idx must be an integer') });

/** The body of a request that may have none (AgentGym's `/create` sends none). */
export const agentGymBodyOf = (req: Request): unknown => (req.body === undefined ? {} : req.body);
