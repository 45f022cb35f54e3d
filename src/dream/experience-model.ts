import type { TimeoutOptions } from '../env/env.js';
import type { Observation, Task } from '../protocol/index.js';

/** A recorded transition shown to the model as a demonstration (or used as the answer). */
export interface RetrievedTransition {
  id: string;
  similarity: number;
  state: string;
  action: string;
  next_state: string;
  reward: number;
  done: boolean;
}

export interface ExperienceRequest {
  task: Task;
  instruction: string;
  /** The last steps of this episode, oldest first. */
  history: ReadonlyArray<{ state: Observation; action: string; reward: number }>;
  state: Observation;
  action: string;
}

export interface ExperiencePrediction {
  reasoning: string;
  next_state: string;
  reward: number;
  done: boolean;
  /** Ids of the transitions retrieved for this prediction (demonstrations or the answer itself). */
  retrieved: string[];
  /** Model-specific facts for `info` (similarity, token usage, warnings, …). */
  info?: Record<string, unknown>;
}

/**
 * Imagines the environment: the next state of `action` in `state`. An LLM behind an
 * OpenAI-compatible endpoint, or the embedded retrieval model over recorded transitions.
 */
export interface ExperienceModel {
  readonly name: string;
  /** 'llm' for a language model; 'retrieval' for the lookup-table default (it says so in outputs). */
  readonly kind: 'llm' | 'retrieval';
  predict(request: ExperienceRequest, options?: TimeoutOptions): Promise<ExperiencePrediction>;
  /**
   * `n` independent samples of one request at once (fidelity's K per shadowed step), each settled
   * on its own: a model that can draw them in one call (an LLM endpoint's `n`) shares the prompt
   * among them. Without it, callers ask `predict` n times.
   */
  predictMany?(request: ExperienceRequest, n: number, options?: TimeoutOptions): Promise<Array<PromiseSettledResult<ExperiencePrediction>>>;
}
