import type { Episode } from '../../src/protocol/episode.js';

/** Reward statistics of one task over its rollouts (DreamGym's group reward variance V_τ). */
export interface TaskVariance {
  task_id: string;
  /** Number of rollouts (episodes) seen for the task. */
  count: number;
  /** Mean total_reward; 0 when count is 0. */
  mean: number;
  /** Population variance (1/n) Σ (r_i − r̄)²; 0 when count < 2. */
  variance: number;
  /** True when count < 2: the variance says nothing about the task's difficulty yet. */
  insufficient: boolean;
}

/** Population variance in two passes (mean first), which stays exact for constant rewards. */
const populationVariance = (rewards: readonly number[], mean: number): number =>
  rewards.reduce((sum, r) => sum + (r - mean) ** 2, 0) / rewards.length;

/**
 * Groups episodes by task_id and computes V_τ per task. `taskIds` adds tasks that have no
 * episodes yet (count 0, flagged). The result is sorted by task id so it is deterministic.
 * Callers decide which episodes count (e.g. filter out `termination: 'error'` first).
 */
export const computeTaskVariances = (
  episodes: readonly Pick<Episode, 'task_id' | 'total_reward'>[],
  taskIds: readonly string[] = [],
): TaskVariance[] => {
  const rewards = new Map<string, number[]>();
  for (const id of taskIds) rewards.set(id, rewards.get(id) ?? []);
  for (const episode of episodes) {
    const list = rewards.get(episode.task_id);
    if (list) list.push(episode.total_reward);
    else rewards.set(episode.task_id, [episode.total_reward]);
  }
  return [...rewards.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([task_id, list]) => {
      const count = list.length;
      const mean = count === 0 ? 0 : list.reduce((s, r) => s + r, 0) / count;
      const insufficient = count < 2;
      return { task_id, count, mean, variance: insufficient ? 0 : populationVariance(list, mean), insufficient };
    });
};
