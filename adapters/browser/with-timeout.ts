import { StepTimeoutError } from '../../src/env/errors.js';
import type { TimeoutOptions } from '../../src/env/env.js';

export const DEFAULT_STEP_TIMEOUT_MS = 30_000;

/**
 * Runs `work` under one deadline: it gets the remaining time for each browser call, and the whole
 * call rejects with STEP_TIMEOUT when the deadline passes or the caller's signal aborts.
 */
export const withTimeout = async <T>(
  what: string,
  options: TimeoutOptions,
  work: (deadline: { remainingMs: () => number; signal: AbortSignal }) => Promise<T>,
): Promise<T> => {
  const timeoutMs = options.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  const started = performance.now();
  const controller = new AbortController();
  const signals = options.signal ? [controller.signal, options.signal] : [controller.signal];
  const signal = AbortSignal.any(signals);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    const fail = () => reject(options.signal?.aborted ? (options.signal.reason ?? new StepTimeoutError(timeoutMs, what)) : new StepTimeoutError(timeoutMs, what));
    timer = setTimeout(() => {
      controller.abort();
      fail();
    }, timeoutMs);
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
  const remainingMs = () => Math.max(1, timeoutMs - (performance.now() - started));
  try {
    return await Promise.race([work({ remainingMs, signal }), expired]);
  } catch (error) {
    // A browser call given the remaining time may expire a moment before our own timer does.
    if (error instanceof Error && error.name === 'TimeoutError' && !options.signal?.aborted) {
      throw Object.assign(new StepTimeoutError(timeoutMs, what), { cause: error });
    }
    throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
};
