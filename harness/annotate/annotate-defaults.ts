/**
 * Defaults of `dreambridge annotate` (the command's --help and the README show them). History and
 * k are the OpenAI experience model's own (`EXPERIENCE_MODEL_DEFAULTS`; a test holds them equal),
 * so the teacher sees the context the trained model will see. Plain values: the CLI reads them
 * without loading the harness.
 */
export const ANNOTATE_DEFAULTS = {
  /** Items asked at once (and teacher requests in flight). */
  concurrency: 4,
  /** Reasoning: steps of the episode's history shown. */
  historyLength: 4,
  /** Reasoning: retrieved transitions shown as demonstrations. */
  k: 4,
  /** Further asks after a refused answer. */
  maxReasks: 2,
  /** An annotation explains a recorded outcome: nothing to sample. */
  temperature: 0,
  maxTokens: 1024,
  /** Consecutive request failures (the teacher unreachable after the client's retries) that stop the run. */
  stopAfterRequestFailures: 5,
} as const;
