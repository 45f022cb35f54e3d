import { pino, type Logger } from 'pino';

/** Structured logs go to stderr so stdout stays for results; level from DREAMBRIDGE_LOG_LEVEL. */
export const createLogger = (name: string, level = process.env.DREAMBRIDGE_LOG_LEVEL ?? 'info'): Logger =>
  pino({ name, level, redact: ['*.apiKey', '*.api_key', '*.authorization'] }, pino.destination(2));
