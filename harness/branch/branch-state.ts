import { codeOf } from '../../src/env/code-of.js';
import type { EnvFactory } from '../../src/env/env.js';
import type { Policy } from '../../src/env/policy.js';
import type { Observation, SiteProfile, Task, Transition } from '../../src/protocol/index.js';
import type { BranchStateLine } from './branch-state-line.js';
import type { ExpertEpisode } from './expert-episodes.js';
import { proposeAlternative } from './propose-alternative.js';
import { restoreState } from './restore-state.js';

/** What branching one state needs. */
export interface BranchStateContext {
  factory: EnvFactory;
  profile: SiteProfile;
  policy: Policy;
  fallback: Policy;
  task: Task;
  kinds: readonly string[] | undefined;
  k: number;
  runId: string;
  stepTimeoutMs: number;
  signal: AbortSignal;
  /** Alternatives already written for this state (an earlier, interrupted run). */
  taken: readonly string[];
  write(line: Transition): Promise<void>;
}

/** The interruptions that stop a state unfinished (no state line: `--resume` does it again). */
const STOPS = new Set(['REAL_BUDGET_EXHAUSTED']);

export class BranchStopped extends Error {
  constructor(readonly reason: unknown) {
    super('branching stopped');
  }
}

/**
 * The K alternatives of one expert state. Each alternative gets its own restore in a fresh env (a
 * fresh context) — an alternative changes the page, and nothing in the Env contract brings it
 * back — verified key by key; the first mismatch ends the state (recorded, not branched). Each
 * alternative line is written as soon as it is taken, so a crash loses at most the one in flight.
 * A spent budget or an abort throws BranchStopped (the state stays unfinished).
 */
export const branchState = async (expert: ExpertEpisode, step: number, context: BranchStateContext): Promise<Omit<BranchStateLine, 'wall_ms'>> => {
  const recorded = expert.steps[step] as Transition;
  const taken = [...context.taken];
  const base = { run_id: context.runId, of_episode: expert.episode.episode_id, of_step: step, ...(recorded.state.page_type ? { page_type: recorded.state.page_type } : {}) };
  let restores = 0;
  let replaySteps = 0;
  let branchSteps = 0;
  const timeout = { timeoutMs: context.stepTimeoutMs, signal: context.signal };
  const counts = () => ({ restores, replay_steps: replaySteps, branch_steps: branchSteps, alternatives: taken.length, shortfall: Math.max(0, context.k - taken.length) });
  while (taken.length < context.k) {
    if (context.signal.aborted) throw new BranchStopped(context.signal.reason);
    const env = await context.factory.create(timeout);
    try {
      restores += 1;
      const restored = await restoreState(env, context.task, expert.steps, step, context.profile, timeout);
      replaySteps += restored.replaySteps;
      if (restored.replay === 'mismatch') {
        return { ...base, replay: 'mismatch', ...counts(), expected_key: restored.expectedKey, actual_key: restored.actualKey, at_step: restored.atStep };
      }
      const state: Observation = restored.state;
      const proposal = await proposeAlternative({ policy: context.policy, fallback: context.fallback, profile: context.profile, task: context.task, state, history: expert.steps.slice(0, step), expertAction: recorded.action, taken, kinds: context.kinds, timeout });
      if (!proposal) break;
      const result = await env.step(proposal.action, timeout);
      branchSteps += 1;
      await context.write({
        run_id: context.runId,
        episode_id: `${context.runId}-branch-${expert.episode.episode_id}-${step}-${taken.length}`,
        task_id: expert.episode.task_id,
        env: expert.episode.env,
        source: 'real',
        step,
        state,
        action: proposal.action,
        next_state: result.observation,
        reward: result.reward,
        done: result.done,
        truncated: result.truncated,
        info: {
          ...result.info,
          branch: { of_episode: expert.episode.episode_id, of_step: step, expert_action: recorded.action, replay: 'verified', index: taken.length, replay_steps: restored.replaySteps, proposed_by: proposal.proposedBy },
        },
      });
      taken.push(proposal.action);
    } catch (error) {
      if (STOPS.has(codeOf(error) ?? '') || context.signal.aborted) throw new BranchStopped(error);
      return { ...base, replay: 'error', ...counts(), error: `${codeOf(error) ?? 'ERROR'}: ${(error as Error).message}` };
    } finally {
      await env.close();
    }
  }
  return { ...base, replay: 'verified', ...counts() };
};
