import type { TimeoutOptions } from './env.js';
import { StepTimeoutError } from './errors.js';

/** The deadline of one env call (reset, step) when neither the caller nor the env sets one. */
export const DEFAULT_STEP_TIMEOUT_MS = 30_000;

/**
 * The reason a settled call's signal aborts with: one shared AbortError. Why not `abort()`: each
 * call would then build a fresh DOMException with its stack trace, which cost more than the rest
 * of a dream step's harness work together (the 64-episode dream benchmark).
 */
const SETTLED = new DOMException('the call has settled', 'AbortError');

/** What the work running under a deadline is handed. */
export interface Deadline {
  /**
   * Aborts when the deadline passes (reason: the timeout error) or the caller's signal aborts
   * (its reason), and once the call has settled: nobody waits for the work any more.
   */
  readonly signal: AbortSignal;
  /** Time left for a call that takes its own timeout (a browser call): at least 1 ms; Infinity without `timeoutMs`. */
  remainingMs(): number;
}

/** The project's `{timeoutMs, signal}` plus what a call site needs to say about its deadline. */
export interface DeadlineOptions<T> extends TimeoutOptions {
  /** What runs, for the default timeout error: "<what> did not finish within N ms". Default "the call". */
  what?: string;
  /** The error the call rejects with when `timeoutMs` passes. Default STEP_TIMEOUT (StepTimeoutError). */
  timeoutError?: (timeoutMs: number) => Error;
  /**
   * Whether an error of the work itself means this deadline passed (a browser call given
   * `remainingMs()` may expire a moment before the timer): it is then replaced by the timeout
   * error, with the original as `cause`, unless the caller's signal aborted. Default: never.
   */
  isTimeout?: (error: unknown) => boolean;
  /**
   * A value the work produces after the call has already rejected (timeout or abort), e.g. an
   * env created too late: hand it here to release it. Its failure is ignored, like a late
   * failure of the work: nobody waits for either.
   */
  onLate?: (value: T) => unknown;
}

/**
 * Runs `work` under the caller's `{timeoutMs, signal}`. The call rejects at once when the
 * deadline passes (the timeout error) or the caller's signal aborts (its reason), even if `work`
 * is still winding down (an HTTP client sleeping between retries, a browser call); a signal
 * aborted before the call rejects without starting `work`. Without `timeoutMs` there is no timer.
 */
export const withDeadline = async <T>(options: DeadlineOptions<T>, work: (deadline: Deadline) => Promise<T>): Promise<T> => {
  const { timeoutMs, signal: callerSignal } = options;
  if (callerSignal?.aborted) throw callerSignal.reason as Error;
  const timeoutError = (ms: number): Error => options.timeoutError?.(ms) ?? new StepTimeoutError(ms, options.what ?? 'the call');
  const started = performance.now();
  const controller = new AbortController();
  const signal = controller.signal;
  // Linked by hand, not AbortSignal.any: that one is measurably costly at hundreds of calls/s.
  const forward = (): void => controller.abort(callerSignal?.reason);
  callerSignal?.addEventListener('abort', forward, { once: true });
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => controller.abort(timeoutError(timeoutMs)), timeoutMs);
  const deadline: Deadline = {
    signal,
    remainingMs: () => (timeoutMs === undefined ? Infinity : Math.max(1, timeoutMs - (performance.now() - started))),
  };
  let onAbort: (() => void) | undefined;
  try {
    return await new Promise<T>((resolve, reject) => {
      let settled = false;
      onAbort = () => {
        settled = true;
        reject(signal.reason as Error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      let running: Promise<T>;
      try {
        running = work(deadline);
      } catch (error) {
        running = Promise.reject(error as Error);
      }
      running.then(
        (value) => {
          if (!settled) resolve(value);
          else if (options.onLate) void Promise.resolve().then(() => options.onLate?.(value)).catch(() => undefined);
        },
        (error: unknown) => {
          if (!settled) reject(error as Error);
        },
      );
    });
  } catch (error) {
    if (timeoutMs !== undefined && !callerSignal?.aborted && options.isTimeout?.(error) === true) {
      throw Object.assign(timeoutError(timeoutMs), { cause: error });
    }
    throw error;
  } finally {
    clearTimeout(timer);
    callerSignal?.removeEventListener('abort', forward);
    if (onAbort) signal.removeEventListener('abort', onAbort);
    controller.abort(SETTLED);
  }
};
