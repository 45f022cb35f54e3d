import { ConfigInvalidError } from '../../src/env/errors.js';
import type { Env, EnvFactory } from '../../src/env/env.js';
import type { BrowserChoice, ContextSupply, OpenedSite } from '../../src/env/site-definition.js';
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

/**
 * A site's real envs over supplied browser contexts: starts the browser (closing it again if that
 * fails), makes one env per `create()` and closes every env still open, then the browser, on close.
 */
export const openBrowserSite = async (
  choice: BrowserChoice,
  supply: ContextSupply,
  makeEnv: (provider: BrowserProvider) => Env,
  manifest: Record<string, unknown>,
): Promise<OpenedSite> => {
  const contexts = supplyContexts(choice, supply);
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
