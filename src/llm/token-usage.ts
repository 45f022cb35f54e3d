/** Token counts as OpenAI reports them, plus the number of completions they add up. */
export interface TokenUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** Completions received (each re-ask is one more; HTTP retries of one request are not). */
  calls: number;
}

export const emptyTokenUsage = (): TokenUsage => ({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, calls: 0 });

/** `a + b`, field by field (a new object). */
export const addTokenUsage = (a: TokenUsage, b: TokenUsage): TokenUsage => ({
  prompt_tokens: a.prompt_tokens + b.prompt_tokens,
  completion_tokens: a.completion_tokens + b.completion_tokens,
  total_tokens: a.total_tokens + b.total_tokens,
  calls: a.calls + b.calls,
});

/**
 * One completion's usage from an OpenAI `usage` object. Endpoints that report none (some local
 * servers) count the call with zero tokens rather than guessing.
 */
export const completionTokenUsage = (usage: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number } | null | undefined): TokenUsage => {
  const prompt = usage?.prompt_tokens ?? 0;
  const completion = usage?.completion_tokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: usage?.total_tokens ?? prompt + completion, calls: 1 };
};

/**
 * One request's usage shared among the `parts` completions it returned (an `n` > 1 request):
 * tokens split evenly, the remainder and the call on the first share, so the shares add up to
 * the request's usage exactly.
 */
export const splitTokenUsage = (usage: TokenUsage, parts: number): TokenUsage[] => {
  const split = (total: number, i: number): number => Math.floor(total / parts) + (i === 0 ? total % parts : 0);
  return Array.from({ length: Math.max(1, parts) }, (_, i) => ({
    prompt_tokens: split(usage.prompt_tokens, i),
    completion_tokens: split(usage.completion_tokens, i),
    total_tokens: split(usage.total_tokens, i),
    calls: i === 0 ? usage.calls : 0,
  }));
};

/** Sums the usage of every call of one role over a run (the run manifest and reports read it). */
export class TokenUsageMeter {
  private total = emptyTokenUsage();

  add(usage: TokenUsage): void {
    this.total = addTokenUsage(this.total, usage);
  }

  /** A copy of the sums so far. */
  snapshot(): TokenUsage {
    return { ...this.total };
  }
}
