import { pino, type Logger } from 'pino';

/** What `cleanUp` logs to: a pino logger, or anything with its `warn`. */
export type CleanUpLogger = Pick<Logger, 'warn'>;

let fallback: CleanUpLogger | undefined;

/** Code without a logger of its own (adapters, the budget wrapper) logs to stderr, like every log. */
const defaultLogger = (): CleanUpLogger => (fallback ??= pino({ name: 'cleanup', level: process.env['DREAMBRIDGE_LOG_LEVEL'] ?? 'info' }, pino.destination(2)));

/** Sends the failures of `cleanUp` calls given no logger to `logger` (a test's); `undefined` restores stderr. */
export const setCleanUpLogger = (logger: CleanUpLogger | undefined): void => {
  fallback = logger;
};

/**
 * Runs one clean-up action (closing a browser, a context, a server, a ledger, an appender)
 * where a failure must not stop the rest of the clean-up nor hide the error that caused it: the
 * failure is logged at warn with the resource named, never thrown, never swallowed silently.
 */
export const cleanUp = async (resource: string, action: () => unknown, logger?: CleanUpLogger): Promise<void> => {
  try {
    await action();
  } catch (error) {
    (logger ?? defaultLogger()).warn({ err: error, resource }, `clean-up failed: ${resource}`);
  }
};
