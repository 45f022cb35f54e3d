import type { Logger } from 'pino';
import { createBrowserProvider, type BrowserSource } from '../adapters/browser/browser-provider.js';
import { checkBaseUrl } from '../adapters/webshop/check-base-url.js';
import { WebShopEnv } from '../adapters/webshop/webshop-env.js';
import { createWebShopProfile, WEBSHOP_DEFAULT_GOAL_COUNT, WEBSHOP_KEY_VERSION, WEBSHOP_PROFILE_VERSION } from '../adapters/webshop/webshop-profile.js';
import { startWebShop, type RunningWebShop } from '../fixtures/webshop/server.js';
import { buildWebShopSite } from '../fixtures/webshop/webshop-site.js';
import type { Env, EnvFactory } from '../src/env/env.js';
import type { SiteProfile, Split, Task } from '../src/protocol/index.js';
import { createWarmContextProvider, type WarmContextProvider } from './serve-warm-contexts.js';

/** The live site of a server: env factory, the tasks resets pick from, and what the manifest says. */
export interface RealSource {
  factory: EnvFactory;
  tasks: () => readonly Task[];
  profile: SiteProfile;
  site: Record<string, unknown>;
  /** The browser's contexts (open count for leak checks); absent when envs do not use the pool. */
  contexts?: WarmContextProvider;
  browserVersion?: string;
  close(): Promise<void>;
}

export interface ServeWebShopOptions {
  url?: string | undefined;
  fixture?: boolean | undefined;
  seed: number;
  goalCount?: number | undefined;
  split: Split;
  maxSteps: number;
  stepTimeoutMs: number;
  searchAnywhere: boolean;
  observation: 'text' | 'text_rich';
  browser: BrowserSource;
  /** Fresh contexts kept ready for real resets. */
  warmContexts: number;
}

/** The WebShop profile a server uses when it has no live site (dream only). */
export const webShopProfileFor = (goalCount?: number): SiteProfile => createWebShopProfile({ goalCount: goalCount ?? WEBSHOP_DEFAULT_GOAL_COUNT });

/**
 * A live WebShop for the server: the local fixture (started on a free port) or the user's
 * deployment, one WebShopEnv per session over one browser whose contexts come warm from a pool.
 * The browser is launched here, before the first client arrives.
 */
export const openWebShopSource = async (options: ServeWebShopOptions, logger: Logger): Promise<RealSource> => {
  let fixture: RunningWebShop | undefined;
  let goalCount = options.goalCount ?? WEBSHOP_DEFAULT_GOAL_COUNT;
  let siteFacts: Record<string, unknown> = {};
  if (options.fixture) {
    const site = await buildWebShopSite({ seed: options.seed });
    fixture = await startWebShop(site, { port: 0, logger });
    goalCount = site.goals.length;
    siteFacts = { fixture: { seed: site.seed, products: site.products.length, goals: site.goals.length, catalog_hash: site.catalogHash() } };
  }
  const baseUrl = fixture?.url ?? options.url!;
  const contexts = createWarmContextProvider(createBrowserProvider(options.browser), { warm: options.warmContexts });
  const open = new Set<Env>();
  try {
    await checkBaseUrl(baseUrl);
    await contexts.start();
  } catch (error) {
    await contexts.close();
    await fixture?.close();
    throw error;
  }
  const profile = createWebShopProfile({ goalCount });
  const tasks = profile.tasks(options.split);
  const factory: EnvFactory = {
    source: 'real',
    create: () => {
      const env = new WebShopEnv({
        baseUrl,
        browser: contexts,
        maxSteps: options.maxSteps,
        timeoutMs: options.stepTimeoutMs,
        searchAnywhere: options.searchAnywhere,
        observationMode: options.observation,
      });
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
      await contexts.close();
    },
  };
  return {
    factory,
    tasks: () => tasks,
    profile,
    contexts,
    browserVersion: await contexts.version(),
    site: { env: 'webshop', base_url: baseUrl, profile_version: WEBSHOP_PROFILE_VERSION, key_version: WEBSHOP_KEY_VERSION, goal_count: goalCount, split: options.split, ...siteFacts },
    close: async () => {
      await factory.close();
      await fixture?.close();
    },
  };
};
