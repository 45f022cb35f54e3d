import type { OpenEnvObservation } from './openenv-observation.js';
import type { SessionReply } from './session-services.js';

/** OpenEnv's reset/step answer (its ResetResponse/StepResponse): exactly `{observation, reward, done}`. */
export interface OpenEnvPayload {
  observation: OpenEnvObservation;
  reward: number | null;
  done: boolean;
}

/** The reply of a session shaped for OpenEnv: what OpenEnv would put in `metadata` is in the observation. */
export const openEnvPayload = (reply: SessionReply, sessionId: string): OpenEnvPayload => ({
  observation: {
    ...reply.observation,
    last_action_error: reply.observation.last_action_error ?? null,
    truncated: reply.truncated,
    episode_id: reply.episode_id,
    session_id: sessionId,
    step_count: reply.step_count,
    info: reply.info === undefined ? null : { ...reply.info },
  },
  reward: reply.reward,
  done: reply.done,
});
