/**
 * Settles like `promise`, or rejects with `signal.reason` as soon as `signal` aborts, whichever
 * comes first. A result that arrives after the abort is handed to `onLate` (e.g. to close an env
 * that was created too late), and a late failure is swallowed: nobody waits for it any more.
 */
export const abortable = <T>(promise: Promise<T>, signal: AbortSignal | undefined, onLate?: (value: T) => unknown): Promise<T> => {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const onAbort = (): void => {
      settled = true;
      reject(signal.reason);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (!settled) resolve(value);
        else if (onLate) void Promise.resolve().then(() => onLate(value)).catch(() => undefined);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        if (!settled) reject(error);
      },
    );
  });
};
