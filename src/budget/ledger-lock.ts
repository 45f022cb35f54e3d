import { closeSync, openSync, realpathSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import lockfile from 'proper-lockfile';
import { hasCode } from '../env/code-of.js';
import { LedgerLockedError } from '../env/errors.js';

/** Options of `LedgerLock`. */
export interface LedgerLockOptions {
  /** A lock whose file is older than this was left by a crashed process and is broken (proper-lockfile's minimum: 2000). */
  staleMs: number;
  /** How long to wait for the lock before LEDGER_LOCKED. */
  timeoutMs: number;
}

/**
 * proper-lockfile's protocol (atomic create, mtime-based staleness, clean-up on exit) over an
 * O_EXCL *file* instead of its default directory. Why: on ext4 here `rmdir` of the lock directory
 * costs ~0.6–1.2 ms (it frees the directory's block through the journal) while creating and
 * unlinking an empty file costs ~50 µs, and the lock is taken for every ledger write.
 * proper-lockfile reaches the file system only through these calls (its sync API maps `mkdir` →
 * `mkdirSync`, and so on). `utimesSync` does nothing: proper-lockfile uses it to probe the mtime
 * precision and to refresh long-held locks, and our locks are released within one synchronous
 * section, long before the 2 s minimum staleness; the lock file's creation time is what others
 * judge staleness by. One journalled metadata write fewer per lock.
 */
const fileLockFs = {
  mkdirSync: (path: string): void => closeSync(openSync(path, 'wx')),
  rmdirSync: (path: string): void => {
    try {
      unlinkSync(path);
    } catch (error) {
      // A directory lock left by some other tool at the same path: remove it the way it was made.
      if (hasCode(error, 'EISDIR', 'EPERM')) rmdirSync(path);
      else throw error;
    }
  },
  statSync,
  utimesSync: (): void => undefined,
  realpathSync,
};

const isLocked = (error: unknown): boolean => hasCode(error, 'ELOCKED');

/** Short pauses first (the holder's critical section lasts ~0.1 ms), then exponential backoff with jitter up to 16 ms. */
const pause = (attempt: number): Promise<void> =>
  attempt < 3
    ? new Promise((resolve) => setImmediate(resolve))
    : new Promise((resolve) => setTimeout(resolve, Math.min(16, 2 ** (attempt - 3)) * (0.5 + Math.random())));

/**
 * The cross-process lock of one ledger file (`<ledger>.lock`). Critical sections are synchronous
 * functions: the lock is taken, the section runs and the lock is released without yielding to the
 * event loop, so callers in the same process never interleave and the lock is held for
 * microseconds, never across an await (a holder cannot be "slow" while holding it).
 */
export class LedgerLock {
  readonly lockPath: string;

  constructor(
    readonly path: string,
    private readonly options: LedgerLockOptions,
  ) {
    this.lockPath = `${path}.lock`;
  }

  /** Runs `critical` under the lock, waiting (asynchronously) while another process holds it. */
  async run<T>(critical: () => T): Promise<T> {
    const deadline = performance.now() + this.options.timeoutMs;
    for (let attempt = 0; ; attempt += 1) {
      const release = this.tryAcquire();
      if (release !== undefined) {
        let result: T;
        try {
          result = critical();
        } finally {
          release();
        }
        // The lock must never be held across an await (it would go stale unrefreshed).
        if (typeof (result as { then?: unknown } | undefined)?.then === 'function') throw new TypeError('LedgerLock.run: the critical section must be synchronous');
        return result;
      }
      if (performance.now() >= deadline) {
        throw new LedgerLockedError(
          `ledger ${this.path}: its lock ${this.lockPath} is held by another process and was not released within ${this.options.timeoutMs} ms (a lock left by a crashed process is broken after ${this.options.staleMs} ms)`,
          { details: { path: this.path, lockPath: this.lockPath, timeoutMs: this.options.timeoutMs } },
        );
      }
      await pause(attempt);
    }
  }

  private tryAcquire(): (() => void) | undefined {
    try {
      return lockfile.lockSync(this.path, {
        realpath: false,
        lockfilePath: this.lockPath,
        stale: this.options.staleMs,
        fs: fileLockFs,
        // Locks are held for microseconds, so the mtime refresh never runs; nothing to compromise.
        onCompromised: () => undefined,
      });
    } catch (error) {
      if (isLocked(error)) return undefined;
      throw new LedgerLockedError(`ledger ${this.path}: cannot create its lock ${this.lockPath} (${(error as Error).message})`, {
        cause: error,
        details: { path: this.path, lockPath: this.lockPath },
      });
    }
  }
}
