import type { Logger } from 'pino';

/**
 * SIGINT/SIGTERM become an abort signal for the work in progress (episodes in flight are recorded
 * as interrupted, files flushed, browsers closed); a second signal exits at once.
 */
export const withInterrupt = async <T>(logger: Logger, work: (signal: AbortSignal) => Promise<T>): Promise<T> => {
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (abort.signal.aborted) process.exit(130);
    logger.warn({ signal }, 'stopping: episodes in flight will be recorded as interrupted');
    abort.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(abort.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
};
