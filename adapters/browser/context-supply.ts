import type { Logger } from 'pino';
import { ConfigInvalidError } from '../../src/env/errors.js';
import type { Env, EnvFactory } from '../../src/env/env.js';
import type { BrowserChoice, ContextSupply, OpenedSite } from '../../src/env/site-definition.js';
import { createBrowserCluster } from './browser-cluster.js';
import { browserEndpointsOf } from './browser-endpoints.js';
import { createBrowserFarm, type BrowserFarm } from './browser-farm.js';
import { createBrowserProvider, type BrowserProvider, type BrowserSource } from './browser-provider.js';
import { createWarmContextProvider } from './warm-context-provider.js';

/** The browser source named by `--browser-ws` (one endpoint), `--browser-cdp` or `--executable` (default: launch one). */
export const browserSourceOf = (choice: BrowserChoice): BrowserSource => {
  const endpoints = browserEndpointsOf(choice);
  if (endpoints.length > 0 && choice.cdp) throw new ConfigInvalidError('give --browser-ws (or --browser-ws-file) or --browser-cdp, not both');
  if (endpoints.length > 1) throw new ConfigInvalidError(`${endpoints.length} browser endpoints make a farm: use supplyContexts`);
  if (endpoints[0] !== undefined) return { kind: 'ws', wsEndpoint: endpoints[0] };
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
 * browser restarts), a pool of warm contexts, or one shared browser. Two or more `--browser-ws`
 * endpoints make a browser farm under any of them (contexts spread by load, dead endpoints retried).
 */
export const supplyContexts = (choice: BrowserChoice, supply: ContextSupply, logger?: Pick<Logger, 'warn' | 'info'>): SuppliedContexts => {
  const endpoints = browserEndpointsOf(choice);
  if (endpoints.length > 1) {
    if (choice.cdp) throw new ConfigInvalidError('give --browser-ws (or --browser-ws-file) or --browser-cdp, not both');
    return supplyFarmContexts(createBrowserFarm({ endpoints, ...(logger ? { logger } : {}) }), supply);
  }
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

/** The same supplies over a farm; the farm is started (every endpoint probed) first and closed last. */
const supplyFarmContexts = (farm: BrowserFarm, supply: ContextSupply): SuppliedContexts => {
  const over = (provider: BrowserProvider): BrowserProvider => ({
    newContext: (options) => provider.newContext(options),
    version: () => farm.version(),
    get launches() {
      return farm.launches;
    },
    close: async () => {
      await provider.close();
      await farm.close();
    },
  });
  if (supply.kind === 'cluster') {
    const cluster = createBrowserCluster({ makeProvider: () => farm.view(), concurrency: supply.concurrency, ...(supply.restartAfter === undefined ? {} : { restartAfter: supply.restartAfter }) });
    return { provider: over(cluster), start: async () => void (await farm.version()) };
  }
  if (supply.kind === 'pool') {
    const pool = createWarmContextProvider(farm.view(), { warm: supply.warm });
    return { provider: over(pool), start: () => pool.start(), openContexts: () => pool.openContexts() };
  }
  return { provider: over(farm.view()), start: async () => void (await farm.version()) };
};

/**
 * A site's real envs over supplied browser contexts: starts the browser (closing it again if that
 * fails), makes one env per `create()` and closes every env still open, then the browser, on close.
 */
export const openBrowserSite = async (
  choice: BrowserChoice,
  supply: ContextSupply,
  makeEnv: (provider: BrowserProvider) => Env,
  manifest: Record<string, unknown>,
  logger?: Pick<Logger, 'warn' | 'info'>,
): Promise<OpenedSite> => {
  const contexts = supplyContexts(choice, supply, logger);
  try {
    await contexts.start();
  } catch (error) {
    await contexts.provider.close();
    throw error;
  }
  const open = new Set<Env>();
  const factory: EnvFactory = {
    source: 'real',
    create: () => {
      const env = makeEnv(contexts.provider);
      open.add(env);
      const close = env.close.bind(env);
      env.close = async () => {
        open.delete(env);
        await close();
      };
      return Promise.resolve(env);
    },
    close: async () => {
      await Promise.all([...open].map((env) => env.close()));
      await contexts.provider.close();
    },
  };
  return {
    factory,
    ...(contexts.openContexts ? { openContexts: contexts.openContexts } : {}),
    browserVersion: await contexts.provider.version(),
    manifest,
    close: () => factory.close(),
  };
};
