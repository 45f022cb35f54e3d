import type { BrowserContext, BrowserContextOptions } from 'playwright-core';
import { Cluster } from 'puppeteer-cluster';
import { ConfigInvalidError, DreambridgeError, EnvClosedError } from '../../src/env/errors.js';
import type { BrowserProvider, BrowserSource } from './browser-provider.js';
import { ClusterContextPool } from './cluster-context-pool.js';
import { EpisodeLeaseTimeoutError } from './context-expiry.js';
import { ContextLease, PlaywrightContextConcurrency, type PlaywrightConcurrencySettings } from './playwright-concurrency.js';

/** Default of `BrowserClusterOptions.episodeTimeoutMs`: 10 minutes. */
export const DEFAULT_EPISODE_TIMEOUT_MS = 600_000;
/** Default of `BrowserClusterOptions.restartAfter`. */
export const DEFAULT_RESTART_AFTER = 50;

export interface BrowserClusterOptions {
  /** Where browsers come from, as for `createBrowserProvider`. Default: a local launch. */
  source?: BrowserSource;
  /** Makes the provider of each browser generation instead of `source` (a browser farm's views). Default: none. */
  makeProvider?: (() => BrowserProvider) | undefined;
  /** Contexts in use at once (puppeteer-cluster's `maxConcurrency`); further `newContext()` calls wait in FIFO order. */
  concurrency: number;
  /**
   * Longest a context may be held (puppeteer-cluster's `timeout`, counted from when the lease
   * starts, not from the request): past it the context is closed and the env's next call fails
   * with EPISODE_TIMEOUT. Default: 600000 (10 min).
   */
  episodeTimeoutMs?: number;
  /**
   * Contexts made on one browser before the next one goes to a fresh browser; the old browser is
   * closed when its last context closes. Bounds browser memory on long runs. For remote sources
   * this reconnects. Default: 50.
   */
  restartAfter?: number;
  /** Fresh contexts made ahead of demand (used only by `newContext()` without options). Default: 0 (measured on the WebShop bench: no throughput gain). */
  warm?: number;
  /** puppeteer-cluster's live status display (drawn on stdout every 500 ms). Default: false. */
  monitor?: boolean;
}

export interface BrowserClusterStats {
  /** `newContext()` calls waiting for a slot. */
  queued: number;
  /** Leases in progress (a context being made or in use). */
  running: number;
  /** Leases ended, failed ones included. */
  done: number;
  /** Leases that failed: no context could be made, the lease timed out, or the browser died under it. */
  errors: number;
  /** Browsers launched or connected, restarts and crash replacements included. */
  browsersStarted: number;
  /** Contexts made, warm ones included. */
  contextsCreated: number;
}

/**
 * A `BrowserProvider` whose contexts are leases of a puppeteer-cluster job: at most `concurrency`
 * contexts are open at once and waiters are served in order. Each context is fresh (never reused),
 * a lease is never retried (retrying would spend real interactions twice), a dead browser is
 * replaced for later leases, and `close()` leaves no browser behind.
 */
export interface BrowserCluster extends BrowserProvider {
  /** A fresh context once a slot is free; closing it ends the lease and frees the slot. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  stats(): BrowserClusterStats;
}

const checkInteger = (value: number, name: string, min: number): number => {
  if (!Number.isInteger(value) || value < min) throw new ConfigInvalidError(`${name} must be an integer ≥ ${min}, got ${value}`);
  return value;
};

/** puppeteer-cluster reports its own timeout as a plain `Error('Timeout hit: N')`. */
const leaseError = (error: unknown, timeoutMs: number): unknown =>
  !(error instanceof DreambridgeError) && error instanceof Error && /^Timeout hit/.test(error.message) ? new EpisodeLeaseTimeoutError(timeoutMs) : error;

export const createBrowserCluster = (options: BrowserClusterOptions): BrowserCluster => {
  const concurrency = checkInteger(options.concurrency, 'concurrency', 1);
  const episodeTimeoutMs = checkInteger(options.episodeTimeoutMs ?? DEFAULT_EPISODE_TIMEOUT_MS, 'episodeTimeoutMs', 1);
  const restartAfter = checkInteger(options.restartAfter ?? DEFAULT_RESTART_AFTER, 'restartAfter', 1);
  const warm = checkInteger(options.warm ?? 0, 'warm', 0);
  const pool = new ClusterContextPool({ source: options.source ?? { kind: 'launch' }, makeProvider: options.makeProvider, restartAfter, warm });
  const settings: PlaywrightConcurrencySettings = { pool, episodeTimeoutMs };
  const waiting = new Set<(error: unknown) => void>();
  const counts = { queued: 0, running: 0, done: 0, errors: 0 };
  let cluster: Promise<Cluster<string, void>> | undefined;
  let closed = false;
  let leases = 0;

  // Started with the first lease, as browser providers start their browser.
  const started = (): Promise<Cluster<string, void>> => {
    cluster ??= Cluster.launch({
      concurrency: PlaywrightContextConcurrency,
      maxConcurrency: concurrency,
      puppeteer: settings,
      timeout: episodeTimeoutMs,
      retryLimit: 0,
      monitor: options.monitor ?? false,
    }) as Promise<Cluster<string, void>>;
    return cluster;
  };

  return {
    async newContext(contextOptions) {
      if (closed) throw new EnvClosedError('browser cluster');
      const workers = await started();
      if (closed) throw new EnvClosedError('browser cluster');
      leases += 1;
      return new Promise<BrowserContext>((resolve, reject) => {
        let begun = false;
        counts.queued += 1;
        waiting.add(reject);
        const begin = () => {
          begun = true;
          // A request rejected by close() is no longer counted as queued.
          if (waiting.delete(reject)) counts.queued -= 1;
          counts.running += 1;
        };
        workers
          // `execute` (not `queue`): its job is never retried, whatever retryLimit says.
          .execute(`context lease #${leases}`, async ({ page }) => {
            begin();
            const lease = page as unknown as ContextLease;
            if (closed) throw new EnvClosedError('browser cluster');
            try {
              resolve(await lease.open(contextOptions));
              await lease.closed;
            } finally {
              lease.finish();
            }
          })
          .then(
            () => {
              counts.done += 1;
            },
            (error: unknown) => {
              counts.done += 1;
              counts.errors += 1;
              reject(leaseError(error, episodeTimeoutMs));
            },
          )
          .finally(() => {
            if (begun) counts.running -= 1;
          });
      });
    },
    version: () => pool.version(),
    get launches() {
      return pool.browsersStarted;
    },
    stats: () => ({ ...counts, browsersStarted: pool.browsersStarted, contextsCreated: pool.contextsCreated }),
    async close() {
      if (closed) return;
      closed = true;
      // puppeteer-cluster never settles jobs still queued at close: we do.
      for (const reject of waiting) reject(new EnvClosedError('browser cluster'));
      counts.queued -= waiting.size;
      waiting.clear();
      const running = cluster ? await cluster.catch(() => undefined) : undefined;
      // Closes the concurrency implementation, hence the pool and every browser.
      await running?.close();
      await pool.close();
    },
  };
};
