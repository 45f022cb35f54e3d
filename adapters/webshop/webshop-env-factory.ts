import type { EnvFactory } from '../../src/env/env.js';
import { ConfigInvalidError } from '../../src/env/errors.js';
import { createBrowserCluster, type BrowserCluster } from '../browser/browser-cluster.js';
import { createBrowserProvider, type BrowserProvider, type BrowserSource } from '../browser/browser-provider.js';
import { checkBaseUrl } from './check-base-url.js';
import { WebShopEnv, type WebShopEnvOptions } from './webshop-env.js';

export interface WebShopEnvFactoryOptions extends Omit<WebShopEnvOptions, 'browser'> {
  /** Launch locally (default), or connect to a Playwright browser server (`ws`) or a CDP endpoint. */
  browser?: BrowserSource;
  /**
   * Browser contexts (episodes) in use at once. When given, contexts come from a browser cluster
   * (`createBrowserCluster`: puppeteer-cluster's queue, FIFO waiters, per-episode lease timeout,
   * browser restarts) instead of a plain shared browser. Reset waits for a free slot, and that
   * wait counts against the reset's timeout: run at most this many episodes at once.
   * Default: none (a plain shared browser, no cap).
   */
  realConcurrency?: number;
  /** With `realConcurrency`: contexts per browser before a fresh browser takes over. Default: 50. */
  restartAfter?: number;
  /** With `realConcurrency`: longest an episode may hold its context before it is closed (EPISODE_TIMEOUT). Default: 600000 (10 min). */
  episodeTimeoutMs?: number;
}

export interface WebShopEnvFactory extends EnvFactory {
  readonly provider: BrowserProvider;
  /** The same object as `provider` when `realConcurrency` was given (for its `stats()`). */
  readonly cluster?: BrowserCluster;
}

const clusterFor = (options: WebShopEnvFactoryOptions): BrowserCluster | undefined => {
  if (options.realConcurrency === undefined) {
    // Cluster-only settings without a cluster would be silently ignored: refuse them instead.
    if (options.restartAfter !== undefined || options.episodeTimeoutMs !== undefined) {
      throw new ConfigInvalidError('restartAfter and episodeTimeoutMs apply to the browser cluster: give realConcurrency too');
    }
    return undefined;
  }
  return createBrowserCluster({
    source: options.browser ?? { kind: 'launch' },
    concurrency: options.realConcurrency,
    ...(options.restartAfter === undefined ? {} : { restartAfter: options.restartAfter }),
    ...(options.episodeTimeoutMs === undefined ? {} : { episodeTimeoutMs: options.episodeTimeoutMs }),
  });
};

/**
 * Checks the base URL answers (a clear error naming it within 10 s otherwise), then creates one
 * WebShopEnv per episode over a shared browser, or over a browser cluster when `realConcurrency`
 * is given; `close()` closes every env and the browser(s).
 */
export const createWebShopEnvFactory = async (options: WebShopEnvFactoryOptions): Promise<WebShopEnvFactory> => {
  const cluster = clusterFor(options);
  await checkBaseUrl(options.baseUrl);
  const provider = cluster ?? createBrowserProvider(options.browser ?? { kind: 'launch' });
  const open = new Set<WebShopEnv>();
  return {
    source: 'real',
    provider,
    ...(cluster === undefined ? {} : { cluster }),
    async create() {
      const env = new WebShopEnv({ ...options, browser: provider });
      open.add(env);
      const close = env.close.bind(env);
      env.close = async () => {
        open.delete(env);
        await close();
      };
      return env;
    },
    async close() {
      await Promise.all([...open].map((env) => env.close()));
      await provider.close();
    },
  };
};
