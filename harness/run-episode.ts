import { z } from 'zod';
import { withDeadline } from '../src/env/deadline.js';
import type { Env, EnvFactory, TimeoutOptions } from '../src/env/index.js';
import { describeError, hasCode } from '../src/env/code-of.js';
import { DreambridgeError } from '../src/env/errors.js';
import {
  stepResultSchema,
  type Episode,
  type EnvName,
  type Observation,
  type Source,
  type StepResult,
  type Task,
  type Termination,
  type Transition,
} from '../src/protocol/index.js';
import type { RunDirectory } from '../src/store/index.js';
import type { HistoryEntry, Policy } from '../src/env/policy.js';
import type { RunEvent } from './run-event.js';

/** Everything one episode needs from the run. */
export interface EpisodeContext {
  envFactory: EnvFactory;
  policy: (task: Task) => Policy;
  task: Task;
  /** Position of the task in the run; makes the episode id unique. */
  index: number;
  runDir: RunDirectory;
  runId: string;
  envName: EnvName;
  stepTimeoutMs: number;
  signal?: AbortSignal;
  emit: (event: RunEvent) => void;
  /** Called once per `env.step` call on a real env (invalid and failed steps too; calls the budget refused not). */
  countRealStep: () => void;
  /** Episode id. Default: `<runId>-<task_id>-<index>`. */
  episodeId?: string;
  /** Wall-clock limit of the whole episode; past it the episode ends `error` (EPISODE_TIMEOUT). Default: none. */
  episodeTimeoutMs?: number;
  /** Told about every real step as it is sent (e.g. fidelity shadowing); must not block. */
  onRealStep?: (step: RealStepNotice) => void;
  /** Told about every transition once it is written (e.g. to grow a replay buffer). */
  onTransition?: (transition: Transition) => void;
}

/** A real step in flight: what the experience model would be asked, and the real outcome to come. */
export interface RealStepNotice {
  runId: string;
  episodeId: string;
  task: Task;
  step: number;
  state: Observation;
  action: string;
  history: ReadonlyArray<{ state: Observation; action: string; reward: number }>;
  real: Promise<StepResult>;
}

/** The episode's own deadline passed (`--episode-timeout`). */
export class EpisodeTimeoutError extends DreambridgeError {
  constructor(timeoutMs: number) {
    super('EPISODE_TIMEOUT', `the episode took longer than ${timeoutMs} ms and was stopped`, { details: { timeoutMs } });
  }
}

/** A failure of the run directory: not the episode's fault, it ends the run. */
class StoreFailure {
  constructor(readonly error: unknown) {}
}

const store = async (write: () => Promise<void>): Promise<void> => {
  try {
    await write();
  } catch (error) {
    throw new StoreFailure(error);
  }
};


/** The env's step result, checked: a malformed one ends the episode with an error naming the field. */
const checkStepResult = (result: StepResult): StepResult => {
  const parsed = stepResultSchema.safeParse(result);
  if (!parsed.success) throw new Error(`the env returned an invalid step result: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
};

/**
 * Runs one episode and writes its transition lines (each before the next step starts) and its
 * episode line. Env, policy and timeout failures end the episode (`error`, `budget`,
 * `interrupted`) and are recorded; only a failure to write the run directory is thrown.
 */
export const runEpisode = async (context: EpisodeContext): Promise<{ episode: Episode; closeError?: string; halt?: unknown }> => {
  const { task, runId } = context;
  const episodeId = context.episodeId ?? `${runId}-${task.task_id}-${context.index}`;
  const startedAt = new Date().toISOString();
  // The episode's own deadline aborts like an interruption but is recorded as an error.
  const deadline = context.episodeTimeoutMs === undefined ? undefined : AbortSignal.timeout(context.episodeTimeoutMs);
  const signals = [context.signal, deadline].filter((x): x is AbortSignal => x !== undefined);
  const signal = signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals);
  const timedOut = (): boolean => deadline?.aborted === true && context.signal?.aborted !== true;
  const timeout: TimeoutOptions = signal ? { timeoutMs: context.stepTimeoutMs, signal } : { timeoutMs: context.stepTimeoutMs };
  // Each call of the episode stops being waited for as soon as the run is interrupted or the episode's deadline passes.
  const untilAborted: TimeoutOptions = signal ? { signal } : {};
  const sources = new Set<Source>();
  let env: Env | undefined;
  let steps = 0;
  let totalReward = 0;
  let termination: Termination = 'interrupted';
  let error: string | undefined;
  let closeError: string | undefined;
  /** A failure that stops the whole run (no browser endpoint left): the episode is interrupted, `--resume` re-runs it. */
  let halt: unknown;
  let resetReport: Record<string, unknown> | undefined;
  const history: HistoryEntry[] = [];
  /** Writes the transition of a step that failed after it was sent: it was spent, so it is logged. */
  const logFailedStep = async (observation: Observation, action: string, thought: string | undefined, failure: unknown, latencyMs: number): Promise<void> => {
    const message = timedOut() ? describeError(new EpisodeTimeoutError(context.episodeTimeoutMs ?? 0)) : context.signal?.aborted ? 'interrupted' : describeError(failure);
    const line: Transition = {
      run_id: runId,
      episode_id: episodeId,
      task_id: task.task_id,
      env: context.envName,
      source: observation.source,
      step: steps,
      state: observation,
      action,
      ...(thought === undefined ? {} : { thought }),
      next_state: { ...observation, last_action_error: message },
      reward: 0,
      done: false,
      truncated: false,
      info: { latency_ms: latencyMs, error: message, failed_after_send: true },
    };
    await store(() => context.runDir.appendTransition(line));
    context.onTransition?.(line);
    // The episode line counts every transition it has, this one included.
    steps += 1;
  };
  context.emit({ type: 'episode-start', runId, episodeId, taskId: task.task_id, index: context.index });

  try {
    const created = await withDeadline<Env>({ ...untilAborted, onLate: (late) => late.close() }, () => context.envFactory.create(timeout));
    env = created;
    const policy = context.policy(task);
    let observation: Observation;
    try {
      observation = await withDeadline(untilAborted, () => created.reset(task, timeout));
    } finally {
      // Recorded even when the reset failed after restoring the site.
      resetReport = created.resetReport?.();
    }
    sources.add(observation.source);
    while (!signal?.aborted) {
      const decision = await withDeadline(untilAborted, () => policy.act(observation, history, task, timeout));
      const sentAt = performance.now();
      const pending = env.step(decision.action, timeout);
      // Observed even if an abort lands first and nobody awaits it below.
      void pending.catch(() => undefined);
      let refused = false;
      if (env.source === 'real') {
        const notice = context.onRealStep;
        if (notice) {
          const stepHistory = history.map((h) => ({ state: h.observation, action: h.action, reward: h.reward }));
          notice({ runId, episodeId, task, step: steps, state: observation, action: decision.action, history: stepHistory, real: pending });
        }
      }
      let result: StepResult;
      try {
        result = checkStepResult(await withDeadline(untilAborted, () => pending));
      } catch (failure) {
        // Refused by the budget (spent, or its ledger unreachable): the step was never sent.
        refused = hasCode(failure, 'REAL_BUDGET_EXHAUSTED') || hasCode(failure, 'LEDGER_UNAVAILABLE');
        if (env.source === 'real' && !refused) context.countRealStep();
        if (!refused) await logFailedStep(observation, decision.action, decision.thought, failure, performance.now() - sentAt);
        throw failure;
      }
      if (env.source === 'real') context.countRealStep();
      const line: Transition = {
        run_id: runId,
        episode_id: episodeId,
        task_id: task.task_id,
        env: context.envName,
        source: result.observation.source,
        step: steps,
        state: observation,
        action: decision.action,
        ...(decision.thought === undefined ? {} : { thought: decision.thought }),
        next_state: result.observation,
        reward: result.reward,
        done: result.done,
        truncated: result.truncated,
        info: result.info,
      };
      await store(() => context.runDir.appendTransition(line));
      context.onTransition?.(line);
      context.emit({
        type: 'step', runId, episodeId, taskId: task.task_id, step: steps, action: decision.action,
        reward: result.reward, done: result.done, truncated: result.truncated, source: result.observation.source,
      });
      sources.add(result.observation.source);
      history.push({ observation, action: decision.action, reward: result.reward });
      observation = result.observation;
      steps += 1;
      totalReward += result.reward;
      if (result.done || result.truncated) {
        // An env may say why it ended early: WebArena's repeated-action rule ('early_stop'), or a
        // dream step whose model could not answer ('error', the reason in info.error).
        const said = result.info['termination'];
        if (said === 'error') {
          termination = 'error';
          error = typeof result.info.error === 'string' ? result.info.error : 'the environment ended the episode with an error';
        } else termination = said === 'early_stop' ? 'early_stop' : result.done ? 'done' : 'max_steps';
        break;
      }
    }
    if (timedOut()) throw new EpisodeTimeoutError(context.episodeTimeoutMs ?? 0);
  } catch (failure) {
    if (failure instanceof StoreFailure) throw failure.error;
    if (hasCode(failure, 'REAL_BUDGET_EXHAUSTED')) {
      termination = 'budget';
      error = describeError(failure);
    } else if (hasCode(failure, 'LEDGER_UNAVAILABLE')) {
      // Not finished: `--resume` runs it again once the ledger answers.
      termination = 'interrupted';
      error = describeError(failure);
    } else if (hasCode(failure, 'BROWSER_FARM_UNAVAILABLE')) {
      // Every browser endpoint is down: nothing real can run until one is back; `--resume` re-runs it.
      termination = 'interrupted';
      error = describeError(failure);
      halt = failure;
    } else if (timedOut()) {
      termination = 'error';
      error = describeError(new EpisodeTimeoutError(context.episodeTimeoutMs ?? 0));
    } else if (!context.signal?.aborted) {
      termination = 'error';
      error = describeError(failure);
    }
  } finally {
    if (env) {
      try {
        await env.close();
      } catch (failure) {
        closeError = describeError(failure);
      }
    }
  }

  const source: Episode['source'] = sources.size > 1 ? 'mixed' : ([...sources][0] ?? env?.source ?? context.envFactory.source);
  const episode: Episode = {
    run_id: runId,
    episode_id: episodeId,
    task_id: task.task_id,
    env: context.envName,
    source,
    steps,
    total_reward: totalReward,
    success: termination === 'done' && totalReward >= 1,
    termination,
    ...(error === undefined ? {} : { error }),
    ...(resetReport === undefined ? {} : { reset: resetReport }),
    started_at: startedAt,
    ended_at: new Date().toISOString(),
  };
  await context.runDir.appendEpisode(episode);
  context.emit(closeError === undefined ? { type: 'episode-end', runId, episode } : { type: 'episode-end', runId, episode, closeError });
  return { episode, ...(closeError === undefined ? {} : { closeError }), ...(halt === undefined ? {} : { halt }) };
};
