import { pino, type Logger } from 'pino';

import { redactSecrets } from './redact-secrets.js';

/**
 * Structured logs go to stderr so stdout stays for results; level from DREAMBRIDGE_LOG_LEVEL.
 * `secrets` (a server token) are replaced in every line, wherever they appear (a URL, a message).
 */
export const createLogger = (name: string, level = process.env.DREAMBRIDGE_LOG_LEVEL ?? 'info', secrets: readonly string[] = []): Logger =>
  pino(
    {
      name,
      level,
      redact: ['*.apiKey', '*.api_key', '*.authorization'],
      ...(secrets.length > 0 ? { hooks: { streamWrite: (line: string) => redactSecrets(line, secrets) } } : {}),
    },
    pino.destination(2),
  );
