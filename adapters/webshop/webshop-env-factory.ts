import type { EnvFactory } from '../../src/env/env.js';
import { createBrowserProvider, type BrowserProvider, type BrowserSource } from '../browser/browser-provider.js';
import { checkBaseUrl } from './check-base-url.js';
import { WebShopEnv, type WebShopEnvOptions } from './webshop-env.js';

export interface WebShopEnvFactoryOptions extends Omit<WebShopEnvOptions, 'browser'> {
  /** Launch locally (default), or connect to a Playwright browser server (`ws`) or a CDP endpoint. */
  browser?: BrowserSource;
}

export interface WebShopEnvFactory extends EnvFactory {
  readonly provider: BrowserProvider;
}

/**
 * Checks the base URL answers (a clear error naming it within 10 s otherwise), then creates one
 * WebShopEnv per episode over a shared browser; `close()` closes every env and the browser.
 */
export const createWebShopEnvFactory = async (options: WebShopEnvFactoryOptions): Promise<WebShopEnvFactory> => {
  await checkBaseUrl(options.baseUrl);
  const provider = createBrowserProvider(options.browser ?? { kind: 'launch' });
  const open = new Set<WebShopEnv>();
  return {
    source: 'real',
    provider,
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
