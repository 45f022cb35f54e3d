import type { TimeoutOptions } from './env.js';
import type { Observation, Task } from '../protocol/index.js';

/** One step of an episode as a policy sees its history. */
export interface HistoryEntry {
  observation: Observation;
  action: string;
  reward: number;
}

/** What a policy decides: an action in the site's grammar, and optionally its reasoning. */
export interface PolicyDecision {
  action: string;
  thought?: string;
}

/**
 * A policy acts on the same abstract text state in dream and in real; it never knows which
 * environment produced the observation.
 */
export interface Policy {
  readonly name: string;
  /** `options` carries the step's deadline and the run's abort signal (an LLM policy passes them to its requests). */
  act(observation: Observation, history: readonly HistoryEntry[], task: Task, options?: TimeoutOptions): Promise<PolicyDecision>;
}
