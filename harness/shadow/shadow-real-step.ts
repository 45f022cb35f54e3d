import type { RealStepNotice } from '../run-episode.js';
import type { Shadower } from './shadower.js';

/** The runner's notice of a real step as the shadower's input: the same request the experience model would get in dream. */
export const shadowRealStep =
  (shadower: Shadower) =>
  (n: RealStepNotice): void =>
    shadower.shadow({
      runId: n.runId,
      episodeId: n.episodeId,
      taskId: n.task.task_id,
      step: n.step,
      request: { task: n.task, instruction: n.state.instruction, history: n.history, state: n.state, action: n.action },
      real: n.real,
    });
