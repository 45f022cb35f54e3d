/** What every WebArena evaluator returns: a 0/1 score, what it compared, and why it failed. */
export interface EvaluatorResult {
  /** `string_match`, `url_match`, `program_html`, or a sub-check (`exact_match`, …). */
  readonly name: string;
  readonly score: 0 | 1;
  readonly details: Readonly<Record<string, unknown>>;
  /** Why the score is 0 (or how it was reached when that is not obvious, e.g. a fallback). */
  readonly reason?: string;
  /**
   * Set when the evaluator could not score here, its score 0 not counting: `unsupported` (the
   * check cannot be reproduced, e.g. an unknown helper), `needs_placeholder` (a site URL is
   * missing). `reason` says what it needs.
   */
  readonly unscored?: 'unsupported' | 'needs_placeholder';
}

/** Builds a result, leaving `reason` out when there is none (exactOptionalPropertyTypes). */
export const evaluatorResult = (
  name: string,
  score: boolean | 0 | 1,
  details: Record<string, unknown>,
  reason?: string,
): EvaluatorResult => ({
  name,
  score: score === true || score === 1 ? 1 : 0,
  details,
  ...(reason === undefined ? {} : { reason }),
});

/** A result that could not be scored, and why (see `EvaluatorResult.unscored`). */
export const unscoredResult = (name: string, unscored: 'unsupported' | 'needs_placeholder', details: Record<string, unknown>, reason: string): EvaluatorResult => ({
  name,
  score: 0,
  details,
  reason,
  unscored,
});

/** The product of 0/1 scores (WebArena multiplies every check). */
export const allPass = (results: readonly { score: 0 | 1 }[]): 0 | 1 => (results.every((r) => r.score === 1) ? 1 : 0);
