import type { Episode } from '../../src/protocol/episode.js';
import type { EnvName } from '../../src/protocol/task.js';
import { compareByVariance, selectSeedTasks } from './select-seed-tasks.js';
import { TaskGenerationError } from './task-generation-error.js';
import { normalizeInstruction, type TaskGenerator } from './task-generator.js';
import { computeTaskVariances, type TaskVariance } from './task-variance.js';

/** A task of the curriculum pool: an original (seed) task, or a variation of one. */
export type CurriculumTask =
  | { task_id: string; instruction: string; env: EnvName; origin: 'seed' }
  | { task_id: string; instruction: string; env: EnvName; origin: 'synthetic'; parent: string };

export const REORDER_ONLY_MODE = 'reorder-only (no task generator configured)';
export type CurriculumMode = 'generate' | typeof REORDER_ONLY_MODE;

export interface CurriculumLogEntry {
  /** The seed task's id. */
  seed: string;
  variance: number;
  generated: CurriculumTask | null;
  reason: string;
}

export interface CurriculumStepOptions {
  episodes: readonly Pick<Episode, 'task_id' | 'total_reward'>[];
  tasks: readonly CurriculumTask[];
  /** How many seed tasks to vary (top V_τ). */
  seeds: number;
  /** Maximum fraction of synthetic tasks in the next task list, in [0, 1]. Default 0.5. */
  lambda?: number;
  /** Length of the next task list. Default: the current pool's length. */
  size?: number;
  /** Without one, the step only reorders the pool by variance. */
  generator?: TaskGenerator;
  signal?: AbortSignal;
}

export interface CurriculumStepResult {
  mode: CurriculumMode;
  /** Next iteration's tasks, highest-variance first; synthetic ones ≤ floor(λ · size). */
  tasks: CurriculumTask[];
  log: CurriculumLogEntry[];
  variances: TaskVariance[];
  /** floor(λ · size): how many synthetic tasks the next list may hold. */
  syntheticCap: number;
}

/** Next free `<parent>-syn-<n>` id, counting past every variation already in the pool. */
const nextSyntheticId = (parent: string, taken: ReadonlySet<string>): string => {
  let n = 1;
  while (taken.has(`${parent}-syn-${n}`)) n += 1;
  return `${parent}-syn-${n}`;
};

/**
 * One curriculum iteration (DreamGym): rank tasks by group reward variance, vary the top
 * `seeds` seed-origin tasks with the generator, and build the next task list so that synthetic
 * tasks make up at most λ of it. New variations take synthetic slots before older ones (they
 * have not been tried yet); the remaining slots go to seed tasks by variance. Generator errors
 * of type TaskGenerationError are logged, not thrown; aborts and other errors propagate.
 */
export const curriculumStep = async (options: CurriculumStepOptions): Promise<CurriculumStepResult> => {
  const lambda = options.lambda ?? 0.5;
  if (!(lambda >= 0 && lambda <= 1)) throw new RangeError(`lambda must be in [0, 1], got ${lambda}`);
  const size = options.size ?? options.tasks.length;
  if (!Number.isInteger(size) || size < 0) throw new RangeError(`size must be a non-negative integer, got ${size}`);
  // The epsilon keeps 0.3 · 10 at 3 despite binary floating point.
  const syntheticCap = Math.floor(lambda * size + 1e-9);

  const byId = new Map(options.tasks.map((t) => [t.task_id, t]));
  const variances = computeTaskVariances(options.episodes, [...byId.keys()]).filter((v) => byId.has(v.task_id));
  const seedStats = variances.filter((v) => byId.get(v.task_id)?.origin === 'seed');
  const seeds = selectSeedTasks(seedStats, options.seeds);
  const mode: CurriculumMode = options.generator ? 'generate' : REORDER_ONLY_MODE;

  const log: CurriculumLogEntry[] = [];
  const fresh: CurriculumTask[] = [];
  const taken = new Set(byId.keys());
  const known = new Map(options.tasks.map((t) => [normalizeInstruction(t.instruction), t.task_id]));
  for (const stat of seeds) {
    const seed = byId.get(stat.task_id);
    if (seed === undefined) continue;
    const entry = { seed: seed.task_id, variance: stat.variance };
    if (!options.generator) {
      log.push({ ...entry, generated: null, reason: REORDER_ONLY_MODE });
      continue;
    }
    if (fresh.length >= syntheticCap) {
      log.push({ ...entry, generated: null, reason: `λ cap reached (${syntheticCap} synthetic of ${size})` });
      continue;
    }
    try {
      const { instruction } = await options.generator.generate(
        { task_id: seed.task_id, instruction: seed.instruction, env: seed.env },
        options.signal === undefined ? {} : { signal: options.signal },
      );
      const duplicate = known.get(normalizeInstruction(instruction));
      if (duplicate !== undefined) {
        log.push({ ...entry, generated: null, reason: `duplicate of task ${duplicate}` });
        continue;
      }
      const task: CurriculumTask = { task_id: nextSyntheticId(seed.task_id, taken), instruction, env: seed.env, origin: 'synthetic', parent: seed.task_id };
      taken.add(task.task_id);
      known.set(normalizeInstruction(instruction), task.task_id);
      fresh.push(task);
      log.push({ ...entry, generated: task, reason: `generated by ${options.generator.name}` });
    } catch (error) {
      if (!(error instanceof TaskGenerationError)) throw error;
      log.push({ ...entry, generated: null, reason: error.message });
    }
  }

  // Existing tasks ranked by variance; unmeasured ones (variance 0) fall to the end by id.
  const ranked = [...variances].sort(compareByVariance).map((v) => byId.get(v.task_id)).filter((t): t is CurriculumTask => t !== undefined);
  const synthetic = [...fresh, ...ranked.filter((t) => t.origin === 'synthetic')].slice(0, syntheticCap);
  const originals = ranked.filter((t) => t.origin === 'seed').slice(0, Math.max(0, size - synthetic.length));
  // Final order: by variance, with new tasks (no rollouts yet) right after their parent.
  const next: CurriculumTask[] = [];
  const keptSynthetic = new Set(synthetic.map((t) => t.task_id));
  const freshByParent = new Map<string, CurriculumTask[]>();
  for (const t of fresh) if (keptSynthetic.has(t.task_id) && t.origin === 'synthetic') freshByParent.set(t.parent, [...(freshByParent.get(t.parent) ?? []), t]);
  const keptOriginals = new Set(originals.map((t) => t.task_id));
  for (const t of ranked) {
    if (!keptOriginals.has(t.task_id) && !keptSynthetic.has(t.task_id)) continue;
    next.push(t);
    next.push(...(freshByParent.get(t.task_id) ?? []));
    freshByParent.delete(t.task_id);
  }
  // Variations whose parent did not make the list still keep their slot, at the end.
  for (const list of freshByParent.values()) next.push(...list);
  return { mode, tasks: next, log, variances, syntheticCap };
};
