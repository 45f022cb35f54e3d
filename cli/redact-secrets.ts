/** The marker secrets are replaced with in log lines. */
export const REDACTED = '[redacted]';

/**
 * `text` with every occurrence of each secret replaced (also URL-encoded, as it appears in a
 * path). Empty secrets are ignored.
 */
export const redactSecrets = (text: string, secrets: readonly string[]): string => {
  let out = text;
  for (const secret of secrets) {
    if (secret === '') continue;
    for (const form of new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)])) out = out.split(form).join(REDACTED);
  }
  return out;
};
