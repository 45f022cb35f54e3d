import { z } from 'zod';
import { observationSchema } from '../protocol/index.js';
import { wireObservationSchemaFor } from './wire-schemas.js';

/**
 * The observation as OpenEnv clients receive it. OpenEnv's serializer drops an observation's
 * `metadata` and its response models forbid keys beside `{observation, reward, done}`, so
 * everything a trainer must see is an explicit observation field: the session and episode ids,
 * the step count, whether the episode was truncated (max steps: `done` is true then, but it is not
 * a success), where the state came from, the action's error (null when it had none) and the step
 * info (latency, reward components; null after a reset).
 */
export const openEnvObservationSchemaFor = (availableActions: z.ZodType<Record<string, unknown>> = observationSchema.shape.available_actions) =>
  wireObservationSchemaFor(availableActions).extend({
    last_action_error: z.string().nullable().describe('Why the last action was not carried out (INVALID_ACTION: …), null when it was'),
    truncated: z.boolean().describe('The episode ended at the step limit (done is true too): not a success, not a failure of the task'),
    episode_id: z.string().describe('The episode id recorded in the run directory'),
    session_id: z.string().describe('The server session (HTTP: send it back with /step, /state and /close)'),
    step_count: z.number().int().nonnegative().describe('Steps taken in this episode'),
    info: z.record(z.string(), z.unknown()).nullable().describe('The step info (latency_ms, reward_components, …); null after a reset'),
  });

export type OpenEnvObservation = z.infer<ReturnType<typeof openEnvObservationSchemaFor>>;
