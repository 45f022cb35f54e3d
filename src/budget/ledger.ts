import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LowSync } from 'lowdb';
import { ConfigInvalidError, DreambridgeError, EnvClosedError, LedgerInvalidError, RealBudgetExhaustedError } from '../env/errors.js';
import { checkCap, newLedgerData, type LedgerData } from './ledger-format.js';
import { LedgerBatcher, type BatchContext } from './ledger-batcher.js';
import { LedgerFile } from './ledger-file.js';
import { LedgerLock } from './ledger-lock.js';
import type { LedgerSnapshot, RealBudget, Reservation } from './real-budget.js';
import { isOwnerGone, ownerHost, registerInstance, unregisterInstance } from './reservation-owner.js';
import { SettleOnceReservation } from './settle-once-reservation.js';

/** Options of `openLedger`. */
export interface OpenLedgerOptions {
  /**
   * The cap. Needed to create a missing ledger. An existing ledger keeps its own cap; a different
   * cap given here is refused (CONFIG_INVALID naming both) unless `resetCap`. Default: none.
   */
  cap?: number;
  /** Replace an existing ledger's cap by `cap` instead of refusing the mismatch (`used` is kept). Default: false. */
  resetCap?: boolean;
  /** Create the file (and its directory) when missing; needs `cap`. Default: true. */
  create?: boolean;
  /** A lock older than this was left by a crashed process and is broken (minimum 2000). Default: 10_000. */
  lockStaleMs?: number;
  /** How long to wait for the lock before LEDGER_LOCKED. Default: lockStaleMs + 5000 (an abandoned lock is broken first). */
  lockTimeoutMs?: number;
  /** fsync every write and its directory: the count also survives a power loss, at 5–15 ms per write here. Default: false. */
  fsync?: boolean;
  /**
   * How long a commit or release may wait before it is written; it rides with any earlier write
   * (the next reserve, usually). Until written it still counts against the cap (as reserved), and
   * if the process dies first it is counted as used, so the delay never risks an overshoot.
   * 0: written at once, and `commit()`/`release()` resolve after the write. Default: 50.
   */
  settleDelayMs?: number;
}

export const defaultLockStaleMs = 10_000;
export const defaultSettleDelayMs = 50;

/** A real-interaction budget kept in a ledger file shared by the processes of one machine. */
export interface Ledger extends RealBudget {
  /** The ledger file (absolute). */
  readonly path: string;
  /** Starts over: used 0 (and the cap replaced when given); open reservations of live processes are kept, dead ones dropped. */
  reset(cap?: number): Promise<LedgerSnapshot>;
}

const toSnapshot = (data: LedgerData, path: string): LedgerSnapshot => ({
  cap: data.cap,
  used: data.used,
  reserved: data.reservations.length,
  remaining: Math.max(0, data.cap - data.used - data.reservations.length),
  path,
  updated_at: data.updated_at,
});

/** Folds reservations whose process is gone into `used` (they may have been sent); returns how many. */
const foldLost = (data: LedgerData): number => {
  const alive = new Map<number, boolean>();
  const kept = data.reservations.filter((reservation) => !isOwnerGone(reservation, alive));
  const lost = data.reservations.length - kept.length;
  if (lost > 0) {
    data.reservations = kept;
    data.reserved = kept.length;
    data.used += lost;
    data.lost_in_flight += lost;
  }
  return lost;
};

/**
 * The file ledger. Every operation runs in a synchronous critical section under the
 * cross-process lock: read the file (always: it is ~1 KB and another process may have changed
 * it; reading costs less than a reliable change check), change it, write it atomically.
 * Concurrent calls of this process share one section, and commits ride with the next write
 * (LedgerBatcher). A reservation is on disk before `reserve` resolves, so every process sees it,
 * and a crash leaves it there to be folded into `used` by the next process that finds its owner
 * dead: a crash can only under-spend. Cost per real step: see scripts/bench-ledger.ts.
 */
class FileLedger implements Ledger {
  readonly path: string;
  /** Distinguishes this instance's reservations from those of an earlier process with the same pid. */
  private readonly instance = randomBytes(4).toString('hex');
  private readonly db: LowSync<LedgerData | null>;
  private readonly lock: LedgerLock;
  private readonly batcher: LedgerBatcher<LedgerData>;
  private sequence = 0;
  private closed = false;

  private readonly settleDelayMs: number;

  constructor(path: string, file: LedgerFile, lock: LedgerLock, settleDelayMs: number) {
    this.path = path;
    this.db = new LowSync<LedgerData | null>(file, null);
    this.lock = lock;
    this.settleDelayMs = settleDelayMs;
    this.batcher = new LedgerBatcher<LedgerData>(
      {
        locked: (section) => this.lock.run(section),
        read: () => this.read(),
        write: (data) => this.write({ ...data, updated_at: new Date().toISOString() }),
      },
      settleDelayMs,
    );
  }

  /** Creates or checks the file and folds reservations lost by dead processes. */
  async open(options: OpenLedgerOptions): Promise<void> {
    registerInstance(this.instance);
    try {
      await this.lock.run(() => {
        const existing = this.readOrNull();
        if (existing === null) {
          if (options.cap === undefined || options.create === false) throw noLedger(this.path);
          this.write(newLedgerData(options.cap));
          return;
        }
        let changed = foldLost(existing) > 0;
        if (options.cap !== undefined && options.cap !== existing.cap) {
          if (options.resetCap !== true) {
            throw new ConfigInvalidError(
              `ledger ${this.path} has cap ${existing.cap}, but cap ${options.cap} was given (reset the cap explicitly to change it: resetCap / \`dreambridge budget reset --cap ${options.cap} --yes\`)`,
              { details: { path: this.path, ledgerCap: existing.cap, givenCap: options.cap } },
            );
          }
          existing.cap = options.cap;
          changed = true;
        }
        if (changed) this.write({ ...existing, updated_at: new Date().toISOString() });
      });
    } catch (error) {
      unregisterInstance(this.instance);
      throw error;
    }
  }

  async reserve(options: { signal?: AbortSignal } = {}): Promise<Reservation> {
    if (this.closed) throw new EnvClosedError(`real-interaction budget ledger ${this.path}`);
    const id = `${this.instance}-${(this.sequence += 1).toString(36)}`;
    await this.batcher.submit((context) => {
      const data = context.data;
      if (data.used + data.reservations.length >= data.cap) {
        // Reservations of dead processes count as used (they may have been sent): show them so.
        if (foldLost(data) > 0) context.changed = true;
        throw new RealBudgetExhaustedError(
          `real-interaction budget exhausted: ${data.used} used + ${data.reservations.length} reserved of cap ${data.cap} (ledger ${this.path})`,
          { cap: data.cap, used: data.used, reserved: data.reservations.length, path: this.path },
        );
      }
      data.reservations.push({ id, pid: process.pid, host: ownerHost, instance: this.instance, at: new Date().toISOString() });
      data.reserved = data.reservations.length;
      context.changed = true;
    }, options.signal);
    return new SettleOnceReservation(id, (spent) => this.settle(id, spent));
  }

  snapshot(): Promise<LedgerSnapshot> {
    return this.batcher.submit((context) => toSnapshot(context.data, this.path));
  }

  async reset(cap?: number): Promise<LedgerSnapshot> {
    if (cap !== undefined) checkCap(cap, `ledger ${this.path}`);
    return this.batcher.submit((context) => {
      const data = context.data;
      const alive = new Map<number, boolean>();
      data.reservations = data.reservations.filter((reservation) => !isOwnerGone(reservation, alive));
      data.reserved = data.reservations.length;
      data.used = 0;
      data.lost_in_flight = 0;
      if (cap !== undefined) data.cap = cap;
      context.changed = true;
      return toSnapshot(data, this.path);
    });
  }

  /**
   * Writes pending commits and releases; no new reservations. Reservations still open stay in
   * the file: once this process has exited (or the next ledger opened in this process looks),
   * they are counted as used.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.batcher.flush();
    } finally {
      unregisterInstance(this.instance);
    }
  }

  /** Commits (`spent`) or releases one reservation. Unknown ids were already folded or dropped by a reset. */
  private async settle(id: string, spent: boolean): Promise<void> {
    const operation = (context: BatchContext<LedgerData>): void => {
      const data = context.data;
      const index = data.reservations.findIndex((reservation) => reservation.id === id);
      if (index < 0) return;
      data.reservations.splice(index, 1);
      data.reserved = data.reservations.length;
      if (spent) data.used += 1;
      context.changed = true;
    };
    if (this.settleDelayMs <= 0) await this.batcher.submit(operation);
    else this.batcher.defer(operation);
  }

  private readOrNull(): LedgerData | null {
    this.db.data = null;
    this.db.read();
    return this.db.data;
  }

  private read(): LedgerData {
    const data = this.readOrNull();
    if (data === null) throw new LedgerInvalidError(`ledger ${this.path}: the file has disappeared`, { details: { path: this.path } });
    return data;
  }

  private write(data: LedgerData): void {
    this.db.data = data;
    this.db.write();
  }
}

const noLedger = (path: string): DreambridgeError =>
  new ConfigInvalidError(`no ledger at ${path}; a cap is needed to create one (e.g. \`dreambridge budget init --ledger ${path} --cap N\`)`, {
    details: { path },
  });

/**
 * Opens the ledger at `path` (creating it, with `cap`, when missing) and folds into `used` the
 * reservations of processes that died holding them. Errors: CONFIG_INVALID (no file and no cap,
 * cap mismatch), LEDGER_INVALID (unreadable or invalid file, never reset silently), LEDGER_LOCKED.
 */
export const openLedger = async (path: string, options: OpenLedgerOptions = {}): Promise<Ledger> => {
  let absolute = resolve(path);
  if (options.cap !== undefined) checkCap(options.cap, `ledger ${absolute}`);
  if (existsSync(absolute)) {
    // Through a symlink, lock and replace the real file (a rename would replace the link).
    absolute = realpathSync(absolute);
  } else {
    if (options.create === false || options.cap === undefined) throw noLedger(absolute);
    mkdirSync(dirname(absolute), { recursive: true });
  }
  const staleMs = Math.max(2000, options.lockStaleMs ?? defaultLockStaleMs);
  const lock = new LedgerLock(absolute, { staleMs, timeoutMs: options.lockTimeoutMs ?? staleMs + 5000 });
  const ledger = new FileLedger(absolute, new LedgerFile(absolute, { fsync: options.fsync ?? false }), lock, options.settleDelayMs ?? defaultSettleDelayMs);
  await ledger.open(options);
  return ledger;
};
