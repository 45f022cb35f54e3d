/** What an operation sees inside a batch: the data read under the lock, and whether to write it back. */
export interface BatchContext<D> {
  readonly data: D;
  /** Set when the operation changed `data` (even if it then throws, e.g. after folding lost reservations). */
  changed: boolean;
}

interface Pending<D> {
  operation: (context: BatchContext<D>) => unknown;
  /** Deferred: the caller does not wait; written with the next batch or after `deferMs`. */
  deferred: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** How the batcher reaches the file: a locked section, a read and an atomic write. */
export interface BatchStore<D> {
  /** Runs a synchronous section under the cross-process lock. */
  locked(section: () => void): Promise<void>;
  read(): D;
  write(data: D): void;
}

const ignore = (): void => undefined;

/**
 * Group commit for one ledger instance. Operations submitted while a batch waits for the lock (or
 * in the same turn of the event loop) run together in one critical section: one read, the
 * operations in submission order, one atomic write. A submitted operation's promise settles only
 * after that write, so a reserve resolves only once its reservation is on disk.
 * Deferred operations (commits and releases) do not wait: they ride with the next batch, or are
 * written `deferMs` later. Why that is safe: until written, a committed reservation is still in
 * the file as reserved, so it counts against the cap all the same, and if this process dies first
 * it is folded into `used`, which is what a commit does. A sequential runner then writes once per
 * step instead of twice, and concurrent workers once per batch.
 */
export class LedgerBatcher<D> {
  private queue: Pending<D>[] = [];
  /** Deferred operations of a failed batch: retried with the next batch, never in a loop. */
  private parked: Pending<D>[] = [];
  /** Set and cleared synchronously with the batch loop, so no submission can fall between two loops. */
  private draining = false;
  private idle: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: BatchStore<D>,
    private readonly deferMs: number,
  ) {}

  /** Queues `operation`; it runs once, under the lock, with the current data. A signal aborted while it waits removes it. */
  submit<T>(operation: (context: BatchContext<D>) => T, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const pending: Pending<D> = { operation, deferred: false, resolve: resolve as (value: unknown) => void, reject, signal, onAbort: undefined };
      if (signal !== undefined) {
        pending.onAbort = () => {
          const index = this.queue.indexOf(pending);
          if (index < 0) return; // already in a batch
          this.queue.splice(index, 1);
          reject(signal.reason);
        };
        signal.addEventListener('abort', pending.onAbort, { once: true });
      }
      this.queue.push(pending);
      this.start();
    });
  }

  /** Queues `operation` without waiting for it (deferMs 0: written at once, still not awaited). */
  defer(operation: (context: BatchContext<D>) => void): void {
    this.queue.push({ operation, deferred: true, resolve: ignore, reject: ignore, signal: undefined, onAbort: undefined });
    if (this.deferMs <= 0) this.start();
    // Not unref'd: a process that ends without close() still writes its commits before exiting.
    else if (!this.draining) this.timer ??= setTimeout(() => this.start(), this.deferMs);
    // else: the batch loop running now takes it before it stops.
  }

  /** Writes everything queued, deferred operations included; rejects if that write fails. */
  async flush(): Promise<void> {
    if (this.queue.length === 0 && this.parked.length === 0) return this.idle;
    await this.submit(() => undefined);
  }

  private start(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.unshift(...this.parked.splice(0));
    if (this.draining) return;
    this.draining = true;
    this.idle = this.drain();
  }

  /** Runs batches until the queue is empty; `draining` is cleared in the same synchronous run as the last check. */
  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.batch();
    } finally {
      this.draining = false;
    }
  }

  /** One critical section: everything queued, one read, one write; then each caller is answered. */
  private async batch(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve)); // callers of this turn of the event loop join
    let batch: Pending<D>[] = [];
    const outcomes: { ok: boolean; value: unknown }[] = [];
    try {
      await this.store.locked(() => {
        // Taken under the lock: everything submitted while waiting for it joins.
        batch = this.queue.splice(0);
        const context: BatchContext<D> = { data: this.store.read(), changed: false };
        for (const pending of batch) {
          try {
            pending.signal?.throwIfAborted();
            outcomes.push({ ok: true, value: pending.operation(context) });
          } catch (error) {
            outcomes.push({ ok: false, value: error });
          }
        }
        if (context.changed) this.store.write(context.data);
      });
    } catch (error) {
      // The lock, the read or the write failed: nothing of this batch happened.
      if (batch.length === 0) batch = this.queue.splice(0);
      this.parked.push(...batch.filter((pending) => pending.deferred));
      outcomes.length = 0;
      for (let i = 0; i < batch.length; i += 1) outcomes.push({ ok: false, value: error });
    }
    batch.forEach((pending, i) => {
      if (pending.onAbort !== undefined) pending.signal?.removeEventListener('abort', pending.onAbort);
      const outcome = outcomes[i];
      if (outcome?.ok) pending.resolve(outcome.value);
      else pending.reject(outcome?.value);
    });
  }
}
