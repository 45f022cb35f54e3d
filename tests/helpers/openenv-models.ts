import { z } from 'zod';

/**
 * OpenEnv's HTTP response models (its `env_server` types), written from their definitions so
 * tests check our bodies as OpenEnv's own servers and clients define them: `extra="forbid"`
 * models are strict objects, `extra="allow"` ones loose; `Optional[...]` fields take null.
 */
export const openEnvModels = {
  /** ResetResponse: observation dict, reward Optional[float], done bool; nothing else. */
  resetResponse: z.strictObject({ observation: z.record(z.string(), z.unknown()), reward: z.number().nullable().optional(), done: z.boolean().optional() }),
  /** StepResponse: the same fields as ResetResponse. */
  stepResponse: z.strictObject({ observation: z.record(z.string(), z.unknown()), reward: z.number().nullable().optional(), done: z.boolean().optional() }),
  /** HealthResponse: status one of healthy, unhealthy, degraded. */
  healthResponse: z.strictObject({ status: z.enum(['healthy', 'unhealthy', 'degraded']).optional() }),
  /** EnvironmentMetadata: name and description required, the rest Optional[str]. */
  environmentMetadata: z.strictObject({
    name: z.string(),
    description: z.string(),
    readme_content: z.string().nullable().optional(),
    version: z.string().nullable().optional(),
    author: z.string().nullable().optional(),
    documentation_url: z.string().nullable().optional(),
  }),
  /** SchemaResponse: three JSON Schemas. */
  schemaResponse: z.strictObject({ action: z.record(z.string(), z.unknown()), observation: z.record(z.string(), z.unknown()), state: z.record(z.string(), z.unknown()) }),
  /** State (extra allowed): episode_id Optional[str], step_count int ≥ 0. */
  state: z.looseObject({ episode_id: z.string().nullable().optional(), step_count: z.number().int().nonnegative().optional() }),
  /** WS replies (extra forbidden): {type, data}. */
  wsObservationResponse: z.strictObject({ type: z.literal('observation'), data: z.record(z.string(), z.unknown()) }),
  wsStateResponse: z.strictObject({ type: z.literal('state'), data: z.record(z.string(), z.unknown()) }),
  wsErrorResponse: z.strictObject({ type: z.literal('error'), data: z.record(z.string(), z.unknown()) }),
  /** JsonRpcResponse as OpenEnv dumps it: jsonrpc and id always, then result or error. */
  jsonRpcResponse: z.union([
    z.strictObject({ jsonrpc: z.literal('2.0'), id: z.union([z.string(), z.number(), z.null()]), result: z.unknown() }),
    z.strictObject({ jsonrpc: z.literal('2.0'), id: z.union([z.string(), z.number(), z.null()]), error: z.strictObject({ code: z.number().int(), message: z.string(), data: z.unknown().optional() }) }),
  ]),
} as const;

/** Parses a body with one of the models, failing the test with the issues when it does not fit. */
export const expectModel = <S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> => {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new Error(`${what} does not fit OpenEnv's model: ${z.prettifyError(parsed.error)}\n${JSON.stringify(body).slice(0, 500)}`);
  return parsed.data;
};
