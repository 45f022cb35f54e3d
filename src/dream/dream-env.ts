import type { Env, TimeoutOptions } from '../env/env.js';
import { DreambridgeError, EnvClosedError, EnvNotResetError } from '../env/errors.js';
import type { Observation, SiteProfile, StepResult, Task } from '../protocol/index.js';
import type { ExperienceModel } from './experience-model.js';

export interface DreamEnvOptions {
  model: ExperienceModel;
  /** The same site profile the real adapter uses: it reads page type and actions from the text. */
  profile: SiteProfile;
  /** A recorded first state of a task (from the buffer), else the profile renders one. */
  initialState?: (task: Task) => string | undefined;
  /** Steps before truncation. Default: the profile's (`SiteProfile.maxSteps`). */
  maxSteps?: number;
  /** Steps of history passed to the model. Default 4. */
  historyLength?: number;
  /** Called once, on the first `close()` (a factory forgets the env then). */
  onClose?: () => void;
}

/** Model failures that end the episode as a recorded step (timeouts and aborts propagate). */
const MODEL_FAILURES = new Set(['MODEL_OUTPUT_UNPARSEABLE', 'MODEL_REQUEST_FAILED', 'RETRIEVAL_NO_MATCH']);
const isModelFailure = (error: unknown): error is DreambridgeError => error instanceof DreambridgeError && MODEL_FAILURES.has(error.code);

/**
 * The dreamed environment: the same object as a real one, its observations in the same text
 * format (page type and available actions parsed by the site profile), so a policy or a runner
 * cannot tell the difference except by `source: "dream"`.
 */
export class DreamEnv implements Env {
  readonly source = 'dream' as const;
  private task: Task | undefined;
  private instruction = '';
  private current: Observation | undefined;
  private history: Array<{ state: Observation; action: string; reward: number }> = [];
  private steps = 0;
  private finished = false;
  private closed = false;

  constructor(private readonly options: DreamEnvOptions) {}

  private observe(text: string): Observation {
    const pageType = this.options.profile.pageType(text);
    return {
      text,
      instruction: this.instruction,
      ...(pageType === undefined ? {} : { page_type: pageType }),
      available_actions: this.options.profile.availableActions(text),
      source: 'dream',
    };
  }

  reset(task: Task): Promise<Observation> {
    if (this.closed) return Promise.reject(new EnvClosedError('dream environment'));
    this.task = task;
    this.instruction = task.instruction ?? '';
    this.history = [];
    this.steps = 0;
    this.finished = false;
    const text = this.options.initialState?.(task) ?? this.options.profile.initialState(this.instruction);
    this.current = this.observe(text);
    return Promise.resolve(this.current);
  }

  async step(action: string, options?: TimeoutOptions): Promise<StepResult> {
    if (this.closed) throw new EnvClosedError('dream environment');
    const current = this.current;
    const task = this.task;
    if (!current || !task) throw new EnvNotResetError();
    const started = performance.now();
    this.steps += 1;
    const maxSteps = this.options.maxSteps ?? this.options.profile.maxSteps;
    const verdict = this.finished ? { valid: false, reason: 'the episode is over' } : this.options.profile.validateAction(action, current.available_actions);
    if (!verdict.valid) {
      // Rejected before any model call, as the real site would refuse it: no retrieval either.
      const error = `INVALID_ACTION: ${verdict.reason ?? 'invalid action'}`;
      return {
        observation: { ...current, last_action_error: error },
        reward: 0,
        done: this.finished,
        truncated: !this.finished && this.steps >= maxSteps,
        info: { latency_ms: performance.now() - started, error, retrieved: [] },
      };
    }
    const history = this.history.slice(-(this.options.historyLength ?? 4));
    let prediction;
    try {
      prediction = await this.options.model.predict({ task, instruction: this.instruction, history, state: current, action }, options);
    } catch (failure) {
      if (!isModelFailure(failure) || options?.signal?.aborted) throw failure;
      // The model could not answer: the episode ends in error on the state it was in, with what
      // the model said kept for inspection — never an invented state.
      this.finished = true;
      const error = `${failure.code}: ${failure.message}`;
      return {
        observation: { ...current, last_action_error: error },
        reward: 0,
        done: true,
        truncated: false,
        info: {
          latency_ms: performance.now() - started,
          error,
          termination: 'error',
          retrieved: Array.isArray(failure.details['retrieved']) ? (failure.details['retrieved'] as string[]) : [],
          model: this.options.model.name,
          model_kind: this.options.model.kind,
          ...(failure.details['raw'] === undefined ? {} : { raw_output: failure.details['raw'] }),
        },
      };
    }
    this.history.push({ state: current, action, reward: prediction.reward });
    this.current = this.observe(prediction.next_state);
    this.finished = prediction.done;
    return {
      observation: this.current,
      reward: prediction.reward,
      done: prediction.done,
      truncated: !prediction.done && this.steps >= maxSteps,
      info: {
        latency_ms: performance.now() - started,
        retrieved: prediction.retrieved,
        model: this.options.model.name,
        model_kind: this.options.model.kind,
        reasoning: prediction.reasoning,
        ...(prediction.info ?? {}),
      },
    };
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.options.onClose?.();
    }
    return Promise.resolve();
  }
}
