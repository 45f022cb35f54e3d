import type { SessionReply } from './session-services.js';

/**
 * OpenEnv's step/reset answer: `{observation, reward, done}` plus `metadata` (a field of
 * OpenEnv's StepResponse) carrying what a trainer may want beyond them: the session and episode
 * ids, whether the episode was truncated, and the step info (latency, reward components, model).
 */
export const openEnvPayload = (reply: SessionReply, sessionId?: string): Record<string, unknown> => ({
  observation: reply.observation,
  reward: reply.reward,
  done: reply.done,
  metadata: {
    ...(sessionId === undefined ? {} : { session_id: sessionId }),
    episode_id: reply.episode_id,
    step_count: reply.step_count,
    truncated: reply.truncated,
    ...(reply.info === undefined ? {} : { info: reply.info }),
  },
});
