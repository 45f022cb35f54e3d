import { ConfigInvalidError } from '../../src/env/errors.js';
import type { BrowserChoice, ContextSupply } from '../../src/env/site-definition.js';
import { createBrowserCluster } from './browser-cluster.js';
import { createBrowserProvider, type BrowserProvider, type BrowserSource } from './browser-provider.js';
import { createWarmContextProvider } from './warm-context-provider.js';

/** The browser source named by `--browser-ws`, `--browser-cdp` or `--executable` (default: launch one). */
export const browserSourceOf = (choice: BrowserChoice): BrowserSource => {
  if (choice.ws && choice.cdp) throw new ConfigInvalidError('give --browser-ws or --browser-cdp, not both');
  if (choice.ws) return { kind: 'ws', wsEndpoint: choice.ws };
  if (choice.cdp) return { kind: 'cdp', cdpEndpoint: choice.cdp };
  return { kind: 'launch', ...(choice.executable ? { executablePath: choice.executable } : {}) };
};

/** A provider of browser contexts with, for pools, the start and open-count a server needs. */
export interface SuppliedContexts {
  provider: BrowserProvider;
  /** Launches the browser (and fills a pool) before the first episode. */
  start(): Promise<void>;
  /** Contexts handed out and not closed (pools only). */
  openContexts?: () => number;
}

/**
 * Browser contexts as a run or a server wants them: the worker cluster (contexts in use capped,
 * browser restarts), a pool of warm contexts, or one shared browser.
 */
export const supplyContexts = (choice: BrowserChoice, supply: ContextSupply): SuppliedContexts => {
  const source = browserSourceOf(choice);
  if (supply.kind === 'cluster') {
    const cluster = createBrowserCluster({ source, concurrency: supply.concurrency, ...(supply.restartAfter === undefined ? {} : { restartAfter: supply.restartAfter }) });
    return { provider: cluster, start: () => Promise.resolve() };
  }
  if (supply.kind === 'pool') {
    const pool = createWarmContextProvider(createBrowserProvider(source), { warm: supply.warm });
    return { provider: pool, start: () => pool.start(), openContexts: () => pool.openContexts() };
  }
  return { provider: createBrowserProvider(source), start: () => Promise.resolve() };
};
