import type { Env, TimeoutOptions } from '../env/env.js';
import { codeOf, describeError } from '../env/code-of.js';
import { DreamNotConfiguredError, EnvNotResetError, RealBudgetExhaustedError, SessionClosedError, ValidationError } from '../env/errors.js';
import { invalidActionResult, oversizedActionError } from './invalid-action.js';
import type { Observation, StepResult, Task, Termination } from '../protocol/index.js';
import { EpisodeRecorder, terminationOf } from './episode-recorder.js';
import type { Mode, SessionReply, SessionServices } from './session-services.js';
import { FactoryFailure } from './wire-error.js';
import type { WireAction, WireReset, WireState } from './wire-schemas.js';
import { cleanUp } from '../env/clean-up.js';

/** Which front door opened the session (WS connection, OpenEnv HTTP, AgentGym HTTP). */
export type SessionKind = 'ws' | 'http' | 'agentgym';

interface ActiveEpisode {
  env: Env;
  mode: Mode;
  task: Task;
  recorder: EpisodeRecorder;
  current: Observation;
  done: boolean;
  /** Set when the episode ended by a failure: later steps answer it again. */
  failure?: unknown;
}

const EPISODE_OVER = 'INVALID_ACTION: the episode is over; reset to start a new one';

/**
 * One client's environment session. Operations run one at a time in arrival order (a WS
 * connection, or concurrent HTTP calls naming the same session). It holds one env per mode,
 * kept across resets and closed with the session; every step is logged before it is answered.
 * A failed operation leaves the session usable: errors end at most the episode, never the session.
 */
export class Session {
  lastActivity = Date.now();
  /** Mode of resets that name none (AgentGym's create may choose it); else the server's default. */
  preferredMode: Mode | undefined;
  private inFlight = 0;
  private queue: Promise<unknown> = Promise.resolve();
  /** Lines being written: the next operation waits for them (write-behind, one step deep). */
  private writes: Promise<unknown> = Promise.resolve();
  private writeFailure: unknown;
  private readonly abort = new AbortController();
  private closing: Promise<void> | undefined;
  private closedReason: string | undefined;
  private readonly envs = new Map<Mode, Env>();
  /** Dream envs continuing real episodes past the budget; closed with the session. */
  private readonly extraEnvs: Env[] = [];
  private active: ActiveEpisode | undefined;
  private episodes = 0;
  private realSteps = 0;
  /** Whether the session holds one of the server's session slots (released sessions do not). */
  private holdsSlot = true;
  /** Why the session's envs were released (idle, episode over); the next reset reopens it. */
  private releasedReason: string | undefined;
  /** The state when it was released: what `state` answers until the next reset. */
  private releasedState: WireState | undefined;

  constructor(
    readonly id: number,
    readonly key: string,
    readonly kind: SessionKind,
    private readonly services: SessionServices,
    /** Called when an episode ends (the manager releases stateless HTTP sessions then). */
    private readonly onEpisodeEnded?: () => void,
  ) {}

  get isClosed(): boolean {
    return this.closing !== undefined;
  }

  /** Released: its envs closed and its slot freed, its id kept; the next reset reopens it. */
  get isReleased(): boolean {
    return this.releasedReason !== undefined && !this.isClosed;
  }

  /** The mode of the current episode (null without one). */
  get mode(): Mode | null {
    return this.active?.mode ?? null;
  }

  /** True while an operation runs (the reaper leaves such sessions alone). */
  get busy(): boolean {
    return this.inFlight > 0;
  }

  /** The current observation (AgentGym's /observation, /available_actions, …). */
  observation(): Observation {
    this.checkOpen();
    if (!this.active) throw new EnvNotResetError(this.releasedReason === undefined ? 'no episode yet: reset first' : this.releasedMessage());
    return this.active.current;
  }

  reset(request: WireReset, timeoutMs?: number): Promise<SessionReply> {
    return this.run(async (options) => {
      const started = performance.now();
      let mode: Mode = request.mode ?? this.preferredMode ?? this.services.defaultMode;
      if (!this.services.modes[mode]) {
        if (mode === 'dream') throw new DreamNotConfiguredError(this.services.dreamHint);
        throw new ValidationError('this server offers no real environment (it serves dreams only): reset with mode "dream"', {
          details: { errors: [{ loc: ['mode'], msg: 'real mode is not offered', type: 'value_error' }] },
        });
      }
      this.reopen();
      await this.endActive('closed');
      // Until this reset succeeds there is no episode: a failed reset must not leave the last one.
      this.active = undefined;
      if (mode === 'real' && (await this.services.budget.exhausted())) {
        if (this.services.onBudgetExhausted !== 'dream' || !this.services.modes.dream) {
          throw new RealBudgetExhaustedError('the real-interaction budget is spent: no real episode can start', await this.budgetDetails());
        }
        mode = 'dream';
      }
      const provider = this.services.modes[mode]!;
      const task = provider.picker.pick(request);
      const env = await this.envFor(mode, options);
      const observation = await env.reset(task, options);
      this.checkOpen();
      this.episodes += 1;
      const episodeId = request.episode_id ?? `${this.services.recorder.runId}-s${this.id}-e${this.episodes}`;
      const recorder = new EpisodeRecorder(this.services.recorder, episodeId, task.task_id, observation.source);
      this.active = { env, mode, task, recorder, current: observation, done: false };
      this.services.observe?.('reset', observation.source, (performance.now() - started) / 1000);
      const first: SessionReply = { observation, reward: null, done: false, truncated: false, episode_id: episodeId, step_count: 0 };
      const actions = request.replay_actions ?? [];
      return actions.length === 0 ? first : this.replay(actions, request.replay_states, options, first);
    }, timeoutMs);
  }

  step(action: WireAction, timeoutMs?: number): Promise<SessionReply> {
    return this.run((options) => this.stepNow(action, options), timeoutMs);
  }

  /** OpenEnv's state plus ours; answered at once, beside an operation in flight. */
  async state(): Promise<WireState> {
    this.checkOpen();
    if (!this.active && this.releasedState) return this.releasedState;
    const figures = await this.services.budget.figures();
    const active = this.active;
    return {
      session_id: this.key,
      episode_id: active?.recorder.episodeId ?? null,
      step_count: active?.recorder.stepCount ?? 0,
      task_id: active?.task.task_id ?? null,
      mode: active?.mode ?? null,
      source: active?.recorder.source ?? null,
      done: active?.done ?? false,
      cum_reward: active?.recorder.cumReward ?? 0,
      real_steps_used: figures.used,
      real_steps_cap: figures.cap,
      session_real_steps: this.realSteps,
    };
  }

  /**
   * Closes the session: aborts the operation in flight, records the unfinished episode
   * (`closed`, or `interrupted` when the server stops) and closes its envs (freeing their
   * browser contexts). Idempotent.
   */
  close(termination: Termination = 'closed', reason = 'the session was closed'): Promise<void> {
    if (this.closing) return this.closing;
    this.closedReason = reason;
    this.abort.abort(new SessionClosedError(reason));
    this.closing = (async () => {
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.services.closeWaitMs)));
      await Promise.race([this.queue.catch(() => undefined), waited]);
      clearTimeout(timer);
      await this.writes;
      await this.endActive(termination).catch((error: unknown) => this.services.logger.error({ err: error, session: this.id }, 'could not record the closed episode'));
      await this.closeEnvs();
      this.freeSlot();
    })();
    return this.closing;
  }

  /**
   * Frees what the session holds (its envs, their browser contexts, its slot) but keeps its id:
   * the unfinished episode is recorded `closed` and the next reset reopens the session (AgentGym
   * envs live for a whole training run; the reaper must not kill them). Runs after the operations
   * queued before it. Idempotent.
   */
  release(reason: string): Promise<void> {
    if (this.closing || this.releasedReason !== undefined) return Promise.resolve();
    this.releasedReason = reason;
    const released = this.queue.then(async () => {
      // A reset queued before this release reopened the session: its new episode stays.
      if (this.closing || this.releasedReason === undefined) return;
      await this.writes;
      this.releasedState = await this.state().catch(() => undefined);
      await this.endActive('closed');
      // Nothing heavy stays (an observation can be a WebArena tree): a record is ~1 KB.
      this.active = undefined;
      await this.closeEnvs();
      this.freeSlot();
    });
    this.queue = released.catch(() => undefined);
    return released;
  }

  /** A released session takes a slot again (or fails with CAPACITY_REACHED, staying released). */
  private reopen(): void {
    if (this.holdsSlot) {
      this.releasedReason = undefined;
      return;
    }
    this.services.limits.claimSession();
    this.holdsSlot = true;
    this.services.logger.info({ session: this.id, kind: this.kind, was: this.releasedReason }, 'session reopened');
    this.releasedReason = undefined;
    this.releasedState = undefined;
  }

  private freeSlot(): void {
    if (!this.holdsSlot) return;
    this.holdsSlot = false;
    this.services.limits.releaseSession();
  }

  private async closeEnvs(): Promise<void> {
    const real = this.envs.get('real');
    const envs = [...this.envs.values(), ...this.extraEnvs];
    this.envs.clear();
    this.extraEnvs.length = 0;
    await Promise.all(envs.map((env) => cleanUp(`${env.source} env of session ${this.id}`, () => env.close(), this.services.logger)));
    if (real) this.services.limits.releaseReal();
  }

  private releasedMessage(): string {
    return `this session's environment was released (${this.releasedReason ?? 'released'}); its id is kept: reset to go on`;
  }

  private checkOpen(): void {
    if (this.closing) throw new SessionClosedError(`session ${this.key} is closed (${this.closedReason ?? 'closed'})`);
  }

  /** Runs `work` after the operations before it, with one deadline and the session's abort signal. */
  private run<T>(work: (options: TimeoutOptions) => Promise<T>, timeoutMs?: number): Promise<T> {
    this.checkOpen();
    this.inFlight += 1;
    this.lastActivity = Date.now();
    const options: TimeoutOptions = { timeoutMs: timeoutMs ?? this.services.stepTimeoutMs, signal: this.abort.signal };
    const run = this.queue.then(async () => {
      this.checkOpen();
      // The previous step's lines are on disk before this operation starts, as the runner does.
      await this.writes;
      if (this.writeFailure !== undefined) throw this.writeFailure;
      return work(options);
    });
    this.queue = run.catch(() => undefined);
    return run.finally(() => {
      this.inFlight -= 1;
      this.lastActivity = Date.now();
    });
  }

  private async envFor(mode: Mode, options: TimeoutOptions): Promise<Env> {
    const existing = this.envs.get(mode);
    if (existing) return existing;
    let env: Env;
    // A real env is a browser context: it needs one of the real slots first.
    if (mode === 'real') this.services.limits.claimReal();
    try {
      env = await this.services.modes[mode]!.create(options);
    } catch (error) {
      if (mode === 'real') this.services.limits.releaseReal();
      throw new FactoryFailure(error);
    }
    if (mode === 'real') env = this.services.budget.wrap(env, () => (this.realSteps += 1));
    if (this.closing) {
      await cleanUp(`${env.source} env of closing session ${this.id}`, () => env.close(), this.services.logger);
      if (mode === 'real') this.services.limits.releaseReal();
      this.checkOpen();
    }
    this.envs.set(mode, env);
    return env;
  }

  /**
   * Lets a line be written while the reply goes out: the answer does not wait for the disk, the
   * session's next operation does (so a crash loses at most the step just answered). Fire and
   * forget by design, yet nothing is lost silently: a failure is logged and kept (`writeFailure`),
   * and `writes` tracks every write so closing the session waits for them.
   */
  private writeBehind(write: Promise<unknown>): void {
    const tracked = write.catch((error: unknown) => {
      this.writeFailure ??= error;
      this.services.logger.error({ err: error, session: this.id }, 'could not write to the run directory');
    });
    this.writes = Promise.all([this.writes, tracked]);
  }

  private async endActive(termination: Termination, error?: string): Promise<void> {
    const active = this.active;
    if (active && !active.recorder.isEnded) await active.recorder.end(termination, error);
  }

  private async budgetDetails(): Promise<Record<string, unknown>> {
    const figures = await this.services.budget.figures();
    return { used: figures.used, cap: figures.cap };
  }

  private async stepNow(action: WireAction, options: TimeoutOptions): Promise<SessionReply> {
    const active = this.active;
    if (!active) throw new EnvNotResetError(this.releasedReason === undefined ? 'no episode to step: send a reset first' : this.releasedMessage());
    if (active.failure !== undefined) {
      if (codeOf(active.failure) === 'REAL_BUDGET_EXHAUSTED') {
        throw new RealBudgetExhaustedError('the real-interaction budget is spent: this episode ended; reset (mode "dream") to go on', await this.budgetDetails());
      }
      throw new EnvNotResetError(`the episode ended in error (${describeError(active.failure)}); reset to start a new one`);
    }
    const recorder = active.recorder;
    if (active.done) {
      // Never sent to the site (and so never charged): the episode is over.
      return {
        observation: { ...active.current, last_action_error: EPISODE_OVER },
        reward: 0, done: true, truncated: false, info: { latency_ms: 0, error: EPISODE_OVER },
        episode_id: recorder.episodeId, step_count: recorder.stepCount,
      };
    }
    const state = active.current;
    const started = performance.now();
    let result: StepResult;
    try {
      // An action too long for any site is an invalid action, as the benchmarks treat them: an
      // ordinary step with last_action_error, never sent to the site (and never charged).
      const oversized = oversizedActionError(action.action_str);
      result = oversized === undefined ? await this.sendStep(active, action.action_str, options) : invalidActionResult(state, oversized, recorder.stepCount + 1, this.services.maxSteps);
    } catch (error) {
      this.checkOpen();
      active.failure = error;
      this.writeBehind(recorder.end(codeOf(error) === 'REAL_BUDGET_EXHAUSTED' ? 'budget' : 'error', describeError(error)));
      throw error;
    }
    this.checkOpen();
    this.services.observe?.('step', result.observation.source, (performance.now() - started) / 1000);
    this.writeBehind(recorder.step(state, action.action_str, action.thought, result));
    active.current = result.observation;
    const termination = terminationOf(result);
    if (termination) {
      active.done = true;
      const error = typeof result.info.error === 'string' && termination === 'error' ? result.info.error : undefined;
      this.writeBehind(recorder.end(termination, error));
      this.onEpisodeEnded?.();
    }
    return {
      observation: result.observation,
      reward: result.reward,
      done: result.done || result.truncated,
      truncated: result.truncated,
      info: result.info,
      episode_id: recorder.episodeId,
      step_count: recorder.stepCount,
    };
  }

  /** The env's step; past the budget with `dream`, the episode goes on in a dream from where it is. */
  private async sendStep(active: ActiveEpisode, action: string, options: TimeoutOptions): Promise<StepResult> {
    try {
      return await active.env.step(action, options);
    } catch (error) {
      const continueInDream = this.services.continueInDream;
      if (codeOf(error) !== 'REAL_BUDGET_EXHAUSTED' || this.services.onBudgetExhausted !== 'dream' || !continueInDream) throw error;
      // A real task may not carry its instruction (the page does): the dream needs it.
      const task = { ...active.task, instruction: active.task.instruction ?? active.current.instruction };
      const dream = continueInDream(task, active.current, active.recorder.stepCount);
      this.extraEnvs.push(dream);
      await dream.reset(task, options);
      active.env = dream;
      active.mode = 'dream';
      this.services.logger.info({ session: this.id, episode: active.recorder.episodeId }, 'real budget spent: the episode goes on in a dream');
      return dream.step(action, options);
    }
  }

  private async replay(actions: readonly string[], states: WireReset['replay_states'], options: TimeoutOptions, first: SessionReply): Promise<SessionReply> {
    let last = first;
    let reproduced: boolean | null = states && states.length > 0 ? true : null;
    let firstMismatch: number | undefined;
    let carried = 0;
    for (const [i, action] of actions.entries()) {
      if (last.done) break;
      last = await this.stepNow({ action_str: action }, options);
      carried += 1;
      const recorded = states?.[i];
      if (recorded === undefined) continue;
      const expected = typeof recorded === 'string' ? { text: recorded } : recorded;
      if (!this.services.sameState(expected, last.observation)) {
        reproduced = false;
        firstMismatch ??= i;
      }
    }
    return {
      ...last,
      observation: { ...last.observation, replay: { actions: carried, reproduced, ...(firstMismatch === undefined ? {} : { first_mismatch: firstMismatch }) } },
    };
  }
}
