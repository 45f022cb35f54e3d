import pLimit from 'p-limit';
import { ConfigInvalidError } from '../src/env/errors.js';
import type { EnvFactory } from '../src/env/index.js';
import type { EnvName, Episode, Source, Task, Transition } from '../src/protocol/index.js';
import type { RunDirectory } from '../src/store/index.js';
import type { Policy } from '../src/env/policy.js';
import type { RunEvent } from './run-event.js';
import { runEpisode, type RealStepNotice } from './run-episode.js';
import { RunSummaryAccumulator, type RunSummary } from './run-summary.js';

export type { RunEvent } from './run-event.js';
export type { RunSummary } from './run-summary.js';
export type { RealStepNotice } from './run-episode.js';

/** Default of `RunEpisodesOptions.stepTimeoutMs`. */
export const DEFAULT_STEP_TIMEOUT_MS = 30_000;

export interface RunEpisodesOptions {
  /** One factory for every episode (collection). `create()` gives a fresh Env per episode; the runner closes it. */
  envFactory?: EnvFactory;
  /** Or one factory per source, with `sourceFor` choosing per slot (the dream/real schedules). */
  factories?: { real?: EnvFactory; dream?: EnvFactory };
  /** Planned source of the episode in a slot. Default: the only factory's. */
  sourceFor?: (slot: number) => Source;
  /** A policy per episode; `source` is the env it will act in (a policy per phase). */
  policy: (task: Task, source: Source) => Policy;
  /** One episode per task, in order. */
  tasks: readonly Task[];
  /** The slot (position in the whole run) of each task; a resumed run passes the slots left. Default: 0, 1, 2, … */
  slots?: readonly number[];
  /** Episode ids, per slot. Default: `<runId>-<task_id>-<slot>`. */
  episodeId?: (slot: number, task: Task) => string;
  /** Episodes in flight at once. Default: 1. */
  concurrency?: number;
  /** Real episodes in flight at once. Default: `concurrency`. */
  realConcurrency?: number;
  runDir: RunDirectory;
  runId: string;
  envName: EnvName;
  /** Passed to `envFactory.create`, `env.reset` and `env.step` as `{ timeoutMs, signal }`. Default: 30000. */
  stepTimeoutMs?: number;
  /** Wall-clock limit per episode; past it the episode ends `error` (EPISODE_TIMEOUT). Default: none. */
  episodeTimeoutMs?: number;
  /**
   * When the real budget is spent: `stop` starts no new episode (a normal finish); `dream` runs
   * the remaining episodes in dream (needs a dream factory). Default: `stop`.
   */
  onBudgetExhausted?: 'stop' | 'dream';
  /** Real interactions left; checked before a real episode starts so none starts on an empty budget. */
  budgetRemaining?: () => Promise<number>;
  /** Abort = stop: episodes in flight end with termination `interrupted` and are recorded; no new episodes start. */
  signal?: AbortSignal;
  /** `episode-start`, `step` and `episode-end` events for progress bars. Errors it throws are ignored. */
  onEvent?: (event: RunEvent) => void;
  /** Every real step as it is sent (fidelity shadowing). */
  onRealStep?: (notice: RealStepNotice) => void;
  /** Every transition once written (the replay buffer co-evolves). */
  onTransition?: (transition: Transition) => void;
}

const positiveInteger = (value: number, name: string): number => {
  if (!Number.isInteger(value) || value < 1) throw new ConfigInvalidError(`${name} must be a positive integer, got ${value}`);
  return value;
};

/** The result of a run: the summary, every episode line written, and whether the budget ran out. */
export interface RunResult extends RunSummary {
  budgetExhausted: boolean;
  episodeLines: Episode[];
}

const resolveFactories = (options: RunEpisodesOptions): { factoryFor: (source: Source) => EnvFactory | undefined; sourceFor: (slot: number) => Source } => {
  if (options.envFactory) {
    const only = options.envFactory;
    return { factoryFor: () => only, sourceFor: options.sourceFor ?? (() => only.source) };
  }
  const { real, dream } = options.factories ?? {};
  if (!real && !dream) throw new ConfigInvalidError('runEpisodes needs envFactory or factories');
  const fallback: Source = real ? 'real' : 'dream';
  return { factoryFor: (source) => (source === 'real' ? real : dream), sourceFor: options.sourceFor ?? (() => fallback) };
};

/**
 * Runs one episode per task, up to `concurrency` at once (`realConcurrency` of them real),
 * writing every transition as it happens and every episode when it ends. An episode that fails
 * (env, policy, timeout) is recorded with termination `error` and the run goes on; an episode cut
 * by the real budget is recorded `budget` and then, by `onBudgetExhausted`, no new episode starts
 * (`stop`) or the remaining real ones run in dream (`dream`); an abort records the episodes in
 * flight as `interrupted` and starts none. Rejects only when the run directory cannot be written,
 * or when an episode was cut by a failure no later episode can escape (every browser endpoint of a
 * farm down: that episode is `interrupted`), after the episodes in flight have ended.
 */
export const runEpisodes = async (options: RunEpisodesOptions): Promise<RunResult> => {
  const concurrency = positiveInteger(options.concurrency ?? 1, 'concurrency');
  const realConcurrency = positiveInteger(options.realConcurrency ?? concurrency, 'realConcurrency');
  const stepTimeoutMs = positiveInteger(options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS, 'stepTimeoutMs');
  if (options.slots && options.slots.length !== options.tasks.length) throw new ConfigInvalidError('slots must have one entry per task');
  const { factoryFor, sourceFor } = resolveFactories(options);
  const onBudgetExhausted = options.onBudgetExhausted ?? 'stop';
  if (onBudgetExhausted === 'dream' && !factoryFor('dream')) throw new ConfigInvalidError('--on-budget-exhausted dream needs a dream environment (an experience model and a buffer)');
  const { signal } = options;
  const started = performance.now();
  const summary = new RunSummaryAccumulator();
  // At most realConcurrency real episodes at once; waiters are served in arrival order.
  const realSlots = pLimit(realConcurrency);
  const episodeLines: Episode[] = [];
  let realInteractions = 0;
  let next = 0;
  let stop = false;
  let budgetExhausted = false;
  let fatal: { error: unknown } | undefined;
  const emit = (event: RunEvent): void => {
    try {
      options.onEvent?.(event);
    } catch {
      // A progress callback must never break a run.
    }
  };
  const exhausted = (): void => {
    budgetExhausted = true;
    if (onBudgetExhausted === 'stop') stop = true;
  };
  /** The source this slot runs in now: its plan, unless the budget is spent. */
  const sourceNow = async (slot: number): Promise<Source | undefined> => {
    const planned = sourceFor(slot);
    if (planned === 'dream') return 'dream';
    if (!budgetExhausted && options.budgetRemaining && (await options.budgetRemaining()) <= 0) exhausted();
    if (!budgetExhausted) return 'real';
    return onBudgetExhausted === 'dream' ? 'dream' : undefined;
  };

  /** Runs the episode of `slot` in `source`; nothing when there is none, or the run stops. */
  const runIn = async (source: Source | undefined, slot: number, task: Task): Promise<void> => {
    if (source === undefined || stop || signal?.aborted) return;
    const factory = factoryFor(source);
    if (!factory) throw new ConfigInvalidError(`episode ${slot} is planned ${source} but no ${source} environment is configured`);
    const { episode, halt } = await runEpisode({
      envFactory: factory,
      policy: (t) => options.policy(t, source),
      task,
      index: slot,
      ...(options.episodeId ? { episodeId: options.episodeId(slot, task) } : {}),
      runDir: options.runDir,
      runId: options.runId,
      envName: options.envName,
      stepTimeoutMs,
      ...(options.episodeTimeoutMs === undefined ? {} : { episodeTimeoutMs: options.episodeTimeoutMs }),
      ...(signal ? { signal } : {}),
      ...(options.onRealStep ? { onRealStep: options.onRealStep } : {}),
      ...(options.onTransition ? { onTransition: options.onTransition } : {}),
      emit,
      countRealStep: () => {
        realInteractions += 1;
      },
    });
    summary.add(episode);
    episodeLines.push(episode);
    if (episode.termination === 'budget') exhausted();
    if (halt !== undefined) {
      fatal ??= { error: halt };
      stop = true;
    }
  };

  const runOne = async (index: number): Promise<void> => {
    const task = options.tasks[index];
    if (task === undefined) return;
    const slot = options.slots?.[index] ?? index;
    if (sourceFor(slot) !== 'real') return runIn(await sourceNow(slot), slot, task);
    // A planned real episode waits for a real slot first, then checks the budget: episodes that
    // queued while the budget ran out must not start real. A real episode holds its slot to the
    // end; one that falls back to dream (or does not run) gives it back first.
    const source = await realSlots(async () => {
      const now = await sourceNow(slot);
      if (now === 'real') await runIn(now, slot, task);
      return now;
    });
    if (source !== 'real') await runIn(source, slot, task);
  };

  const worker = async (): Promise<void> => {
    while (!stop && !signal?.aborted && next < options.tasks.length) {
      const index = next;
      next += 1;
      try {
        await runOne(index);
      } catch (error) {
        fatal ??= { error };
        stop = true;
      }
    }
  };

  await Promise.all(Array.from({ length: Math.min(concurrency, options.tasks.length) }, () => worker()));
  if (fatal) throw fatal.error;
  return { ...summary.summary(realInteractions, performance.now() - started), budgetExhausted, episodeLines };
};
