import type { ErrorCode } from './errors.js';

/**
 * The stable `code` of an error, if it has a string one: a DreambridgeError's, a fixture's typed
 * error's, or Node's errno (`ENOENT`, `EPERM`, …). One guard instead of `(error as { code? }).code`.
 */
export const codeOf = (error: unknown): string | undefined => {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
};

/** `CODE: message` when the error has a string code, else the message (as run records and replies show failures). */
export const describeError = (error: unknown): string => {
  const message = error instanceof Error ? error.message : String(error);
  const code = codeOf(error);
  return code === undefined ? message : `${code}: ${message}`;
};

/** Whether the error's code is one of `codes`; the `string & {}` keeps ErrorCode's completions. */
export const hasCode = (error: unknown, ...codes: ReadonlyArray<ErrorCode | (string & {})>): boolean => {
  const code = codeOf(error);
  return code !== undefined && codes.includes(code);
};
