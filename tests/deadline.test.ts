import { describe, expect, it } from 'vitest';
import { withDeadline } from '../src/env/deadline.js';
import { DreambridgeError, StepTimeoutError } from '../src/env/errors.js';

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('withDeadline', () => {
  it('returns what the work returns, and aborts the work signal once settled', async () => {
    let seen: AbortSignal | undefined;
    const value = await withDeadline({ timeoutMs: 1000 }, async ({ signal, remainingMs }) => {
      seen = signal;
      expect(signal.aborted).toBe(false);
      expect(remainingMs()).toBeGreaterThan(900);
      return 42;
    });
    expect(value).toBe(42);
    expect(seen?.aborted).toBe(true);
  });

  it('rejects with STEP_TIMEOUT at the deadline while the work still runs, and aborts its signal with that error', async () => {
    let seen: AbortSignal | undefined;
    const call = withDeadline({ what: 'reset to x', timeoutMs: 20 }, ({ signal }) => {
      seen = signal;
      return never<number>();
    });
    await expect(call).rejects.toThrow(StepTimeoutError);
    await expect(call).rejects.toMatchObject({ code: 'STEP_TIMEOUT', message: 'reset to x did not finish within 20 ms' });
    expect(seen?.reason).toBeInstanceOf(StepTimeoutError);
  });

  it('uses the caller’s own timeout error (its stable code)', async () => {
    const call = withDeadline({ timeoutMs: 10, timeoutError: (ms) => new DreambridgeError('EPISODE_TIMEOUT', `episode over ${ms} ms`) }, () => never());
    await expect(call).rejects.toMatchObject({ code: 'EPISODE_TIMEOUT', message: 'episode over 10 ms' });
  });

  it("rejects with the caller's abort reason, and never starts the work when already aborted", async () => {
    const controller = new AbortController();
    const reason = new Error('interrupted');
    const call = withDeadline({ signal: controller.signal }, () => never());
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    let started = false;
    await expect(
      withDeadline({ signal: controller.signal, timeoutMs: 1000 }, async () => {
        started = true;
        return 1;
      }),
    ).rejects.toBe(reason);
    expect(started).toBe(false);
  });

  it('hands a value that arrives after the deadline to onLate, and ignores a late failure', async () => {
    const late: string[] = [];
    const call = withDeadline({ timeoutMs: 10, onLate: (value: string) => late.push(value) }, async () => {
      await sleep(40);
      return 'context';
    });
    await expect(call).rejects.toThrow(StepTimeoutError);
    await sleep(60);
    expect(late).toEqual(['context']);
    // A late rejection must not surface as an unhandled rejection (vitest would fail the run).
    await expect(withDeadline({ timeoutMs: 5 }, () => sleep(20).then(() => Promise.reject(new Error('late'))))).rejects.toThrow(StepTimeoutError);
    await sleep(40);
  });

  it('turns a timeout of the work itself into the deadline error when isTimeout says so', async () => {
    const browserTimeout = Object.assign(new Error('page.goto: Timeout 5ms exceeded'), { name: 'TimeoutError' });
    const isTimeout = (error: unknown): boolean => error instanceof Error && error.name === 'TimeoutError';
    const call = withDeadline({ what: 'click', timeoutMs: 1000, isTimeout }, () => Promise.reject(browserTimeout));
    await expect(call).rejects.toMatchObject({ code: 'STEP_TIMEOUT', cause: browserTimeout });
    // Without isTimeout the work's own error passes through unchanged.
    await expect(withDeadline({ timeoutMs: 1000 }, () => Promise.reject(browserTimeout))).rejects.toBe(browserTimeout);
  });

  it('without timeoutMs has no timer and unlimited remaining time', async () => {
    await expect(withDeadline({}, async ({ remainingMs }) => remainingMs())).resolves.toBe(Infinity);
  });
});
