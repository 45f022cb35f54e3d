import type { TaskVariance } from './task-variance.js';

export interface SelectSeedOptions {
  /**
   * Keep tasks whose variance is 0 (all rollouts equal, or fewer than 2). Default false: such
   * tasks are mastered, infeasible or unmeasured, not of "appropriate difficulty".
   */
  includeZeroVariance?: boolean;
}

/** Highest variance first; equal variances by task id (code-unit order) so runs repeat. */
export const compareByVariance = (a: TaskVariance, b: TaskVariance): number =>
  b.variance - a.variance || (a.task_id < b.task_id ? -1 : a.task_id > b.task_id ? 1 : 0);

/** The top `n` tasks by V_τ, as DreamGym picks seeds for new task variations. */
export const selectSeedTasks = (stats: readonly TaskVariance[], n: number, options: SelectSeedOptions = {}): TaskVariance[] => {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer, got ${n}`);
  const candidates = options.includeZeroVariance ? [...stats] : stats.filter((s) => !s.insufficient && s.variance > 0);
  return candidates.sort(compareByVariance).slice(0, n);
};
