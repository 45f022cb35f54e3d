import { ConfigInvalidError } from '../src/env/errors.js';
import type { EnvFactory } from '../src/env/index.js';
import type { Task } from '../src/protocol/index.js';
import type { RunDirectory } from '../src/store/index.js';
import type { Policy } from './policy.js';
import type { RunEvent } from './run-event.js';
import { runEpisode } from './run-episode.js';
import { RunSummaryAccumulator, type RunSummary } from './run-summary.js';

export type { RunEvent } from './run-event.js';
export type { RunSummary } from './run-summary.js';

/** Default of `RunEpisodesOptions.stepTimeoutMs`. */
export const DEFAULT_STEP_TIMEOUT_MS = 30_000;

export interface RunEpisodesOptions {
  /** `create()` gives a fresh Env per episode (a fresh browser context); the runner closes it after the episode. */
  envFactory: EnvFactory;
  /** A policy per episode. */
  policy: (task: Task) => Policy;
  /** One episode per task, in order. */
  tasks: readonly Task[];
  /** Episodes in flight at once. Default: 1. */
  concurrency?: number;
  runDir: RunDirectory;
  runId: string;
  envName: 'webshop' | 'webarena';
  /** Passed to `envFactory.create`, `env.reset` and `env.step` as `{ timeoutMs, signal }`. Default: 30000. */
  stepTimeoutMs?: number;
  /** Abort = stop: episodes in flight end with termination `interrupted` and are recorded; no new episodes start. */
  signal?: AbortSignal;
  /** `episode-start`, `step` and `episode-end` events for progress bars. Errors it throws are ignored. */
  onEvent?: (event: RunEvent) => void;
}

const positiveInteger = (value: number, name: string): number => {
  if (!Number.isInteger(value) || value < 1) throw new ConfigInvalidError(`${name} must be a positive integer, got ${value}`);
  return value;
};

/**
 * Runs one episode per task, up to `concurrency` at once, writing every transition as it happens
 * and every episode when it ends. An episode that fails (env, policy, timeout) is recorded with
 * termination `error` and the run goes on; `REAL_BUDGET_EXHAUSTED` records `budget` and starts no
 * new episode; an abort records the episodes in flight as `interrupted` and starts none. Rejects
 * only when the run directory cannot be written (after the episodes in flight have ended).
 */
export const runEpisodes = async (options: RunEpisodesOptions): Promise<RunSummary> => {
  const concurrency = positiveInteger(options.concurrency ?? 1, 'concurrency');
  const stepTimeoutMs = positiveInteger(options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS, 'stepTimeoutMs');
  const { signal } = options;
  const started = performance.now();
  const summary = new RunSummaryAccumulator();
  let realInteractions = 0;
  let next = 0;
  let stop = false;
  let fatal: { error: unknown } | undefined;
  const emit = (event: RunEvent): void => {
    try {
      options.onEvent?.(event);
    } catch {
      // A progress callback must never break a run.
    }
  };

  const worker = async (): Promise<void> => {
    while (!stop && !signal?.aborted && next < options.tasks.length) {
      const index = next;
      next += 1;
      const task = options.tasks[index];
      if (task === undefined) return;
      try {
        const { episode } = await runEpisode({
          envFactory: options.envFactory,
          policy: options.policy,
          task,
          index,
          runDir: options.runDir,
          runId: options.runId,
          envName: options.envName,
          stepTimeoutMs,
          ...(signal ? { signal } : {}),
          emit,
          countRealStep: () => {
            realInteractions += 1;
          },
        });
        summary.add(episode);
        if (episode.termination === 'budget') stop = true;
      } catch (error) {
        fatal ??= { error };
        stop = true;
      }
    }
  };

  await Promise.all(Array.from({ length: Math.min(concurrency, options.tasks.length) }, () => worker()));
  if (fatal) throw fatal.error;
  return summary.summary(realInteractions, performance.now() - started);
};
