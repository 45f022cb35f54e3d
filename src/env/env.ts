import type { Observation, Source, StepResult, Task } from '../protocol/index.js';

/** One timeout value threaded through every async step. */
export interface TimeoutOptions {
  /** Milliseconds before the call fails with `STEP_TIMEOUT`. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * A live site driven by a browser or the experience model that dreams it: the same object.
 * Invalid actions never throw; they return a step with `last_action_error` set and reward 0.
 */
export interface Env {
  readonly source: Source;
  reset(task: Task, options?: TimeoutOptions): Promise<Observation>;
  step(action: string, options?: TimeoutOptions): Promise<StepResult>;
  close(): Promise<void>;
  /**
   * What the last reset did to restore the site's state (which site resets ran and how long they
   * took), recorded in the episode line as `reset`; undefined when nothing was restored.
   */
  resetReport?(): Record<string, unknown> | undefined;
}

/** Creates environments; runners and servers hold factories, never concrete adapters. */
export interface EnvFactory {
  readonly source: Source;
  create(options?: TimeoutOptions): Promise<Env>;
  close(): Promise<void>;
}
