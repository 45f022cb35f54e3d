import type { Logger } from 'pino';
import type { ExperienceModel, ExperiencePrediction, ExperienceRequest } from '../../src/dream/experience-model.js';
import { withDeadline } from '../../src/env/deadline.js';
import { ConfigInvalidError } from '../../src/env/errors.js';
import type { TextSimilarityOptions } from '../../src/fidelity/text-similarity.js';
import type { Observation, ShadowLine, SiteProfile } from '../../src/protocol/index.js';
import { describeError } from '../../src/env/code-of.js';
import { buildShadowLine, type ShadowLineInput } from './shadow-line.js';

/** Default of `ShadowerOptions.timeoutMs`: an LLM answer with reasoning can take a while. */
export const DEFAULT_SHADOW_TIMEOUT_MS = 60_000;

/** Options of `createShadower`. */
export interface ShadowerOptions {
  /** The experience model measured against the real steps. */
  model: ExperienceModel;
  /** The site profile whose canonical key decides "same state". */
  profile: SiteProfile;
  /** Predictions per real step (K). A positive integer. */
  k: number;
  /** Persists one line (e.g. `openShadowWriter(dir).write`). A rejection goes to `onError`. */
  write: (line: ShadowLine) => Promise<void>;
  /** Deadline of each prediction (of the K together when the model draws them in one call); a late one counts as failed (STEP_TIMEOUT). Default 60000. */
  timeoutMs?: number;
  /** Told about lines that could not be built or written (also counted in `stats.lostLines` and logged). */
  onError?: (error: unknown, where: { episodeId: string; step: number }) => void;
  /**
   * Where failed predictions and dropped lines are logged (warn; a lost line: error), so none is
   * silent. Default: none (the counts in `stats` still say it).
   */
  logger?: Pick<Logger, 'warn' | 'error'>;
  /** Bounds the cost of the soft text similarity. Default: `textSimilarity`'s. */
  similarity?: TextSimilarityOptions;
}

/** The real step as the env will report it. */
export interface RealStepOutcome {
  observation: Observation;
  reward: number;
  done: boolean;
}

/** One real step to shadow. `real` is the env's pending `step()`: the shadower never awaits it for the caller. */
export interface ShadowInput {
  runId: string;
  episodeId: string;
  taskId: string;
  step: number;
  request: ExperienceRequest;
  real: Promise<RealStepOutcome>;
}

/** Counters since creation. */
export interface ShadowStats {
  /** Real steps given to `shadow()`. */
  requested: number;
  /** Lines written. */
  lines: number;
  /** Predictions that failed or timed out (also in their lines' `failed`). */
  failedPredictions: number;
  /** Real steps that failed: no line, predictions aborted. */
  skippedRealFailed: number;
  /** Lines that could not be built or written (see `onError`). */
  lostLines: number;
}

export interface Shadower {
  /** Starts shadowing one real step and returns at once; never throws, never delays the step. */
  shadow(input: ShadowInput): void;
  /** Resolves when every shadowed step so far has been written (or dropped). Never rejects. */
  flush(): Promise<void>;
  /** Shadowed steps not finished yet. */
  readonly pending: number;
  readonly stats: Readonly<ShadowStats>;
}

type Outcome = ShadowLineInput['outcomes'][number];

/** A model bug (no prediction object) costs one sample, not the whole line. */
const NO_PREDICTION: Outcome = { ok: false, error: 'MODEL_OUTPUT_UNPARSEABLE: the model returned no prediction' };
type RealSettled = { ok: true; value: RealStepOutcome } | { ok: false };

/** A macrotask boundary: the caller reaches its own `await real` before any model code runs. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Measures an experience model in the shadow of real steps: for each real step, K predictions
 * from the same (task, history, state, action) run concurrently with it, and once both sides
 * have answered one `shadow.jsonl` line is written with their canonical keys, soft text
 * similarity, ε_R and tv_hat. `shadow()` does O(1) work and the predictions start on the next
 * event-loop turn, so even a model that computes synchronously in `predict()` cannot hold up the
 * caller. A failed prediction is counted in the line (`failed`, `errors`); a failed real step
 * writes nothing and aborts its predictions; nothing is ever thrown into the caller.
 */
export const createShadower = (options: ShadowerOptions): Shadower => {
  const { model, profile, k } = options;
  if (!Number.isSafeInteger(k) || k < 1) throw new ConfigInvalidError(`shadow K must be a positive integer, got ${String(k)}`);
  const timeoutMs = options.timeoutMs ?? DEFAULT_SHADOW_TIMEOUT_MS;
  const { logger } = options;
  if (!(timeoutMs > 0)) throw new ConfigInvalidError(`shadow timeoutMs must be positive, got ${String(timeoutMs)}`);
  const stats: ShadowStats = { requested: 0, lines: 0, failedPredictions: 0, skippedRealFailed: 0, lostLines: 0 };
  const jobs = new Set<Promise<void>>();

  const predictOne = async (request: ExperienceRequest, stop: AbortSignal): Promise<Outcome> => {
    try {
      const prediction: ExperiencePrediction | null | undefined = await withDeadline({ what: 'shadow prediction', timeoutMs, signal: stop }, ({ signal }) =>
        model.predict(request, { timeoutMs, signal }),
      );
      // A model bug must cost one sample, not the whole line.
      if (typeof prediction !== 'object' || prediction === null) return NO_PREDICTION;
      return { ok: true, prediction };
    } catch (error) {
      return { ok: false, error: describeError(error) };
    }
  };

  /** The K samples: in one call when the model can draw them together (an endpoint's `n`), else K calls. */
  const predictK = async (request: ExperienceRequest, stop: AbortSignal): Promise<Outcome[]> => {
    const many = model.predictMany?.bind(model);
    if (many === undefined || k === 1) return Promise.all(Array.from({ length: k }, () => predictOne(request, stop)));
    try {
      const settled = await withDeadline({ what: `${k} shadow predictions`, timeoutMs, signal: stop }, ({ signal }) => many(request, k, { timeoutMs, signal }));
      return Array.from({ length: k }, (_, i): Outcome => {
        const one = settled[i];
        if (one === undefined) return NO_PREDICTION;
        if (one.status === 'rejected') return { ok: false, error: describeError(one.reason) };
        if (typeof one.value !== 'object' || one.value === null) return NO_PREDICTION;
        return { ok: true, prediction: one.value };
      });
    } catch (error) {
      const failed: Outcome = { ok: false, error: describeError(error) };
      return Array.from({ length: k }, () => failed);
    }
  };

  const run = async (input: ShadowInput, real: Promise<RealSettled>): Promise<void> => {
    await nextTurn();
    const stop = new AbortController();
    // A real step that already failed makes predictions pointless: skip them.
    const early = await Promise.race([real, Promise.resolve(undefined)]);
    if (early?.ok === false) {
      stats.skippedRealFailed += 1;
      logger?.warn({ episode: input.episodeId, step: input.step }, 'shadow line dropped: the real step failed');
      return;
    }
    const predictions = predictK(input.request, stop.signal);
    const settled = await real;
    if (!settled.ok) {
      stop.abort(new Error('the real step failed'));
      await predictions;
      stats.skippedRealFailed += 1;
      logger?.warn({ episode: input.episodeId, step: input.step }, 'shadow line dropped: the real step failed');
      return;
    }
    const outcomes = await predictions;
    const line = buildShadowLine(
      {
        runId: input.runId,
        episodeId: input.episodeId,
        taskId: input.taskId,
        step: input.step,
        state: input.request.state,
        action: input.request.action,
        real: settled.value,
        outcomes,
        model: { name: model.name, kind: model.kind },
      },
      profile,
      options.similarity,
    );
    await options.write(line);
    stats.lines += 1;
    stats.failedPredictions += line.failed;
    if (line.failed > 0) logger?.warn({ episode: input.episodeId, step: input.step, failed: line.failed, k, errors: line.errors }, `${line.failed} of ${k} shadow predictions failed`);
  };

  return {
    shadow: (input) => {
      stats.requested += 1;
      // Observe the real step's outcome now, so its rejection is handled here as well as by the caller.
      const real: Promise<RealSettled> = Promise.resolve(input.real).then(
        (value) => ({ ok: true, value }),
        () => ({ ok: false }),
      );
      const job: Promise<void> = run(input, real)
        .catch((error: unknown) => {
          stats.lostLines += 1;
          logger?.error({ err: error, episode: input.episodeId, step: input.step }, 'shadow line lost: it could not be built or written');
          try {
            options.onError?.(error, { episodeId: input.episodeId, step: input.step });
          } catch {
            // A throwing error handler must not turn into an unhandled rejection.
          }
        })
        .finally(() => jobs.delete(job));
      jobs.add(job);
    },
    flush: async () => {
      while (jobs.size > 0) await Promise.all([...jobs]);
    },
    get pending() {
      return jobs.size;
    },
    stats,
  };
};
