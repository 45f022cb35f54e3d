import pLimit, { type LimitFunction } from 'p-limit';

/** Default in-flight requests per role client (vLLM/SGLang batch far more; OpenAI rate-limits beyond). */
export const DEFAULT_LLM_CONCURRENCY = 16;

/**
 * At most `concurrency` tasks run at once; the rest wait in order. A waiting task whose signal
 * aborts leaves the queue at once with the signal's reason (it never starts), so a deadline
 * covers the time spent queueing too.
 */
export class ConcurrencyLimiter {
  private readonly limit: LimitFunction;

  constructor(readonly concurrency: number = DEFAULT_LLM_CONCURRENCY) {
    this.limit = pLimit(Math.max(1, Math.floor(concurrency)));
  }

  /** Tasks running now. */
  get active(): number {
    return this.limit.activeCount;
  }

  /** Tasks waiting for a slot. */
  get pending(): number {
    return this.limit.pendingCount;
  }

  run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (!signal) return this.limit(task);
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason as Error);
      signal.addEventListener('abort', onAbort, { once: true });
      // Not awaited: the caller waits on the promise returned here, which the task settles through
      // resolve/reject; the chain itself cannot reject (both outcomes are handled above).
      void this.limit(() => {
        // Aborted while queued: give the slot straight back.
        if (signal.aborted) return Promise.resolve(undefined);
        return task().then(
          (value) => resolve(value),
          (error: unknown) => reject(error as Error),
        );
      }).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }
}
