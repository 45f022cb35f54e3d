import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { BrowserContext, BrowserContextOptions } from 'playwright-core';
import type ConcurrencyImplementationModule from 'puppeteer-cluster/dist/concurrency/ConcurrencyImplementation.js';
import type { JobInstance, WorkerInstance } from 'puppeteer-cluster/dist/concurrency/ConcurrencyImplementation.js';
import { EnvClosedError } from '../../src/env/errors.js';
import type { ClusterContextPool } from './cluster-context-pool.js';
import { BrowserDisconnectedError, EpisodeLeaseTimeoutError, expireContext, guardNewPage } from './context-expiry.js';

// puppeteer-cluster is CommonJS with `exports.default = class`; ESM loaders (tsx, vitest) disagree
// on unwrapping that default, `require` does not.
const { default: ConcurrencyImplementation } = createRequire(import.meta.url)(
  'puppeteer-cluster/dist/concurrency/ConcurrencyImplementation.js',
) as typeof ConcurrencyImplementationModule;

/** What the cluster passes as its `puppeteer` object: our launcher, not puppeteer. */
export interface PlaywrightConcurrencySettings {
  pool: ClusterContextPool;
  /** The cluster's `timeout`, for the error an expired lease leaves behind. */
  episodeTimeoutMs: number;
}

/**
 * One job's hold on one fresh Playwright context. puppeteer-cluster sees it as the job's "page"
 * (it only subscribes to its `error` event, which fails the job); the task opens the context,
 * hands it to the caller and waits for `closed`. The lease ends when the caller closes the
 * context, its browser dies, or the cluster's timeout ends the job first (then the context is
 * expired with EPISODE_TIMEOUT).
 */
export class ContextLease extends EventEmitter {
  private context: BrowserContext | undefined;
  /** Why the cluster took the context back, when it did. */
  private failure: Error | undefined;
  private taskDone = false;
  private ended = false;
  private resolveClosed: () => void = () => undefined;
  /** Resolves when the lease's context has closed, whoever closed it. */
  readonly closed: Promise<void>;

  constructor(private readonly settings: PlaywrightConcurrencySettings) {
    super();
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
  }

  /** Gets the lease's context (warm when the options are the defaults). */
  async open(options?: BrowserContextOptions): Promise<BrowserContext> {
    const context = await this.settings.pool.acquire(options);
    if (this.ended) {
      // The cluster's timeout ended the job while the context was being made.
      const error = new EpisodeLeaseTimeoutError(this.settings.episodeTimeoutMs);
      await expireContext(context, error);
      throw error;
    }
    this.context = context;
    guardNewPage(context, () => this.failure);
    // A close nobody asked for is the browser's doing: it crashed, was killed or went away.
    let closeRequested = false;
    const close = context.close.bind(context);
    Object.defineProperty(context, 'close', {
      configurable: true,
      writable: true,
      value: (closeOptions?: { reason?: string }) => {
        closeRequested = true;
        return close(closeOptions);
      },
    });
    context.once('close', () => {
      if (!closeRequested) this.lost();
      this.resolveClosed();
    });
    return context;
  }

  /** Called by the task as it returns: from then on an end is the normal one. */
  finish(): void {
    this.taskDone = true;
  }

  /** puppeteer-cluster's `jobInstance.close`: after the task returned, or when its timeout fired first. */
  async end(): Promise<void> {
    this.ended = true;
    if (!this.taskDone && this.context !== undefined) {
      this.failure = new EpisodeLeaseTimeoutError(this.settings.episodeTimeoutMs);
      await expireContext(this.context, this.failure);
    }
  }

  /** The browser went away under the context: later calls say so, and the job ends as failed. */
  private lost(): void {
    if (this.context === undefined) return;
    if (this.settings.pool.closed) {
      this.failure ??= new EnvClosedError('browser cluster');
      // Called from the browser's 'disconnected' event, which cannot wait; expireContext catches
      // its own close, so the promise does not reject.
      void expireContext(this.context, this.failure);
      return;
    }
    const error = new BrowserDisconnectedError();
    this.failure ??= error;
    void expireContext(this.context, error); // as above: from an event, and never rejects
    // puppeteer-cluster's Worker listens here: the job is recorded as failed.
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }
}

/**
 * puppeteer-cluster's concurrency implementation over Playwright: the cluster's queue, concurrency
 * limit, timeouts and monitor drive the work, while every job holds a Playwright context
 * (`ContextLease`), so the adapters stay Playwright-only. Each worker is a slot; browsers live in
 * the shared pool. `jobInstance()` never throws: a context that cannot be made fails that job
 * (through the task), instead of puppeteer-cluster's repair-and-retry loop.
 */
export class PlaywrightContextConcurrency extends ConcurrencyImplementation {
  private readonly settings: PlaywrightConcurrencySettings;

  constructor(options: ConstructorParameters<typeof ConcurrencyImplementation>[0], launcher: PlaywrightConcurrencySettings) {
    super(options, launcher);
    this.settings = launcher;
  }

  /** Browsers start lazily, with the first lease. */
  async init(): Promise<void> {}

  async close(): Promise<void> {
    await this.settings.pool.close();
  }

  async workerInstance(): Promise<WorkerInstance> {
    return {
      jobInstance: async (): Promise<JobInstance> => {
        const lease = new ContextLease(this.settings);
        return {
          resources: { page: lease as unknown as JobInstance['resources']['page'] },
          close: () => lease.end(),
        };
      },
      close: async () => undefined,
      // Nothing to repair per worker: the pool replaces dead browsers itself.
      repair: async () => undefined,
    };
  }
}
