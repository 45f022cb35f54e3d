import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ConfigInvalidError, EnvClosedError, LedgerUnavailableError, RealBudgetExhaustedError } from '../env/errors.js';
import { checkCap } from './ledger-format.js';
import type { Ledger } from './ledger.js';
import type { LedgerSnapshot, Reservation } from './real-budget.js';
import { connectRedis } from './redis-connection.js';
import { parseRedisLocation, type RedisLocation } from './redis-location.js';
import { openScript, renewScript, reserveScript, resetScript, settleScript, snapshotScript } from './redis-ledger-scripts.js';
import { SettleOnceReservation } from './settle-once-reservation.js';

/** Options of `openRedisLedger`. */
export interface OpenRedisLedgerOptions {
  /** The cap; creates a missing ledger. A different cap than the ledger's is refused unless `resetCap`. Default: none. */
  cap?: number;
  /** Replace an existing ledger's cap by `cap` (`used` is kept). Default: false. */
  resetCap?: boolean;
  /** Create the ledger when missing (needs `cap`). Default: true. */
  create?: boolean;
  /**
   * How long a reservation's lease lasts without renewal. This process renews its open leases every
   * third of it; leases of a process that died are folded into `used` once they expire. Default:
   * the URL's `lease_ms`, else 10_000.
   */
  leaseMs?: number;
  /** Each Redis command (and the first connection) fails with LEDGER_UNAVAILABLE after this. Default: 2000. */
  timeoutMs?: number;
}

export const defaultLeaseMs = 10_000;
export const defaultRedisTimeoutMs = 2000;

type Reply = Array<number | null>;

/**
 * A real-interaction budget kept in Redis, shared by any number of processes on any number of
 * machines. Reserve, settle, renew and fold are Lua scripts (atomic on the server); this side keeps
 * only the ids of its own open reservations, to renew their leases. If Redis cannot be reached, or
 * stops answering, every call fails with LEDGER_UNAVAILABLE: no real step goes unbudgeted.
 */
class RedisLedger implements Ledger {
  readonly path: string;
  private readonly keys: [string, string];
  private readonly instance = randomBytes(6).toString('hex');
  private readonly open = new Set<string>();
  private sequence = 0;
  private closed = false;
  private renewTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: Redis,
    location: RedisLocation,
    private readonly leaseMs: number,
  ) {
    this.path = location.display;
    this.keys = [location.key, `${location.key}:leases`];
    // Renew every third of the lease, so two renewals can be missed before a live holder's lease lapses.
    this.renewTimer = setInterval(() => void this.renew(), Math.max(50, Math.floor(leaseMs / 3)));
    this.renewTimer.unref();
  }

  /** Runs a script; any client failure becomes LEDGER_UNAVAILABLE naming the ledger. */
  async run(script: string, args: Array<string | number>): Promise<Reply> {
    try {
      return (await this.client.eval(script, 2, ...this.keys, ...args)) as Reply;
    } catch (error) {
      throw new LedgerUnavailableError(`ledger ${this.path}: Redis did not answer (${error instanceof Error ? error.message : String(error)}); real steps stop until it does`, {
        cause: error,
        details: { path: this.path },
      });
    }
  }

  async reserve(options: { signal?: AbortSignal } = {}): Promise<Reservation> {
    if (this.closed) throw new EnvClosedError(`real-interaction budget ledger ${this.path}`);
    options.signal?.throwIfAborted();
    const id = `${this.instance}-${(this.sequence += 1).toString(36)}`;
    const reply = await this.run(reserveScript, [id, this.leaseMs]);
    const [status, cap, used, reserved] = reply.map((v) => Number(v ?? 0));
    if (status === -1) throw missing(this.path);
    if (status === 0) {
      throw new RealBudgetExhaustedError(`real-interaction budget exhausted: ${used} used + ${reserved} reserved of cap ${cap} (ledger ${this.path})`, {
        cap,
        used,
        reserved,
        path: this.path,
      });
    }
    this.open.add(id);
    return new SettleOnceReservation(id, (spent) => this.settle(id, spent));
  }

  async snapshot(): Promise<LedgerSnapshot> {
    return this.toSnapshot(await this.run(snapshotScript, []));
  }

  async reset(cap?: number): Promise<LedgerSnapshot> {
    if (cap !== undefined) checkCap(cap, `ledger ${this.path}`);
    return this.toSnapshot(await this.run(resetScript, [cap === undefined ? '' : String(cap)]));
  }

  /** Stops renewing and disconnects. Reservations still open expire and are counted as used. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.renewTimer);
    this.renewTimer = undefined;
    await this.client.quit().catch(() => this.client.disconnect());
  }

  private async settle(id: string, spent: boolean): Promise<void> {
    await this.run(settleScript, [id, spent ? '1' : '0']);
    this.open.delete(id);
  }

  /** Extends the leases of this process's open reservations; a failure is retried at the next tick. */
  private async renew(): Promise<void> {
    if (this.open.size === 0 || this.closed) return;
    await this.run(renewScript, [this.leaseMs, ...this.open]).catch(() => undefined);
  }

  private toSnapshot(reply: Reply): LedgerSnapshot {
    const [cap, used, reserved, at] = reply.map((v) => Number(v ?? 0));
    if (cap === -1 || cap === undefined) throw missing(this.path);
    const u = used ?? 0;
    const r = reserved ?? 0;
    return { cap, used: u, reserved: r, remaining: Math.max(0, cap - u - r), path: this.path, updated_at: new Date(at ?? 0).toISOString() };
  }
}

const missing = (path: string): ConfigInvalidError =>
  new ConfigInvalidError(`no ledger at ${path}; a cap is needed to create one (e.g. \`dreambridge budget init --ledger '${path}' --cap N\`)`, { details: { path } });

/**
 * Opens the ledger at `redis://…#KEY` (creating it with `cap` when missing) and folds expired leases
 * into `used`. Errors: CONFIG_INVALID (bad URL, no ledger and no cap, cap mismatch), LEDGER_UNAVAILABLE.
 */
export const openRedisLedger = async (value: string, options: OpenRedisLedgerOptions = {}): Promise<Ledger> => {
  const location = parseRedisLocation(value, '--ledger');
  if (options.cap !== undefined) checkCap(options.cap, `ledger ${location.display}`);
  const leaseMs = options.leaseMs ?? location.leaseMs ?? defaultLeaseMs;
  const client = await connectRedis(location, options.timeoutMs ?? defaultRedisTimeoutMs, 'ledger');
  const ledger = new RedisLedger(client, location, leaseMs);
  try {
    const cap = options.create === false || options.cap === undefined ? '' : String(options.cap);
    const [status, ledgerCap] = (await ledger.run(openScript, [cap, options.resetCap === true ? '1' : '0'])).map((v) => Number(v ?? 0));
    if (status === -1) throw missing(location.display);
    if (status === 0 && options.create === false && options.cap !== undefined && options.cap !== ledgerCap) {
      throw capMismatch(location.display, ledgerCap ?? 0, options.cap);
    }
    if (status === -2) throw capMismatch(location.display, ledgerCap ?? 0, options.cap ?? 0);
  } catch (error) {
    await ledger.close();
    throw error;
  }
  return ledger;
};

const capMismatch = (path: string, ledgerCap: number, givenCap: number): ConfigInvalidError =>
  new ConfigInvalidError(
    `ledger ${path} has cap ${ledgerCap}, but cap ${givenCap} was given (reset the cap explicitly to change it: \`dreambridge budget reset --ledger '${path}' --cap ${givenCap} --yes\`)`,
    { details: { path, ledgerCap, givenCap } },
  );
