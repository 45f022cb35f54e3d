/**
 * Whether a browser call failed because its own timeout passed (Playwright's TimeoutError): a call
 * given a deadline's remaining time may expire a moment before the deadline's timer, and it is the
 * same timeout (`withDeadline`'s `isTimeout`).
 */
export const isPlaywrightTimeout = (error: unknown): boolean => error instanceof Error && error.name === 'TimeoutError';
