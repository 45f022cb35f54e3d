import type { TimeoutOptions } from '../env/env.js';
import { StepTimeoutError } from '../env/errors.js';

/**
 * Runs `work` under the caller's `{timeoutMs, signal}`: `work` gets one signal that aborts when
 * either does, and the call rejects at once with STEP_TIMEOUT when the deadline passes, or with
 * the caller's abort reason when its signal aborts, even if `work` is still winding down (an
 * HTTP client sleeping between retries, say). Without either, `work` runs as it is.
 */
export const withDeadline = async <T>(what: string, options: TimeoutOptions, work: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> => {
  const { timeoutMs, signal: callerSignal } = options;
  if (timeoutMs === undefined && callerSignal === undefined) return work(undefined);
  if (callerSignal?.aborted) throw callerSignal.reason as Error;
  const controller = new AbortController();
  // Linked by hand, not AbortSignal.any: that one is measurably costly at hundreds of calls/s.
  const forward = (): void => controller.abort(callerSignal?.reason);
  callerSignal?.addEventListener('abort', forward, { once: true });
  const signal = controller.signal;
  let timer: NodeJS.Timeout | undefined;
  if (timeoutMs !== undefined) timer = setTimeout(() => controller.abort(new StepTimeoutError(timeoutMs, what)), timeoutMs);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason as Error);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  // The race's loser must not surface as an unhandled rejection.
  aborted.catch(() => undefined);
  const running = work(signal);
  running.catch(() => undefined);
  try {
    return await Promise.race([running, aborted]);
  } finally {
    clearTimeout(timer);
    callerSignal?.removeEventListener('abort', forward);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
};
