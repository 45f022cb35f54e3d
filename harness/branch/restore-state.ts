import type { Env, TimeoutOptions } from '../../src/env/env.js';
import type { Observation, SiteProfile, Task, Transition } from '../../src/protocol/index.js';

/** A restored state: verified (every replayed state had its recorded key) or where it diverged. */
export type RestoreOutcome =
  | { replay: 'verified'; state: Observation; replaySteps: number }
  | { replay: 'mismatch'; atStep: number; expectedKey: string; actualKey: string; replaySteps: number };

/**
 * Rebuilds the state before expert step `step` in `env` (a fresh context: the reset opens one):
 * reset to the episode's task, then replay the recorded actions before it, checking after the
 * reset and after every replayed action that the canonical key equals the recorded one. Keys are
 * compared as the profile computes them from text and URL, on both sides. The first divergence
 * stops the replay (no interactions are spent past it). Every replayed action is a real step.
 */
export const restoreState = async (env: Env, task: Task, steps: readonly Transition[], step: number, profile: SiteProfile, timeout: TimeoutOptions): Promise<RestoreOutcome> => {
  let state = await env.reset(task, timeout);
  let replaySteps = 0;
  for (let i = 0; ; i += 1) {
    const recorded = steps[i]?.state;
    if (!recorded) throw new Error(`no recorded state ${i} of episode ${steps[0]?.episode_id ?? '?'}`);
    const expectedKey = profile.canonicalKey(recorded).key;
    const actualKey = profile.canonicalKey(state).key;
    if (expectedKey !== actualKey) return { replay: 'mismatch', atStep: i, expectedKey, actualKey, replaySteps };
    if (i === step) return { replay: 'verified', state, replaySteps };
    const result = await env.step(steps[i]?.action ?? '', timeout);
    replaySteps += 1;
    state = result.observation;
  }
};
