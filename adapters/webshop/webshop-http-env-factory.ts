import type { EnvFactory } from '../../src/env/env.js';
import { createHttpAgent, DEFAULT_HTTP_CONNECTIONS } from '../http/http-session.js';
import { checkBaseUrl } from './check-base-url.js';
import { WebShopHttpEnv, type WebShopHttpEnvOptions } from './webshop-http-env.js';

export interface WebShopHttpEnvFactoryOptions extends Omit<WebShopHttpEnvOptions, 'agent'> {
  /** Requests in flight at once (the run's `--concurrency`). Default 16. */
  connections?: number;
}

/**
 * Checks the base URL answers, then creates one WebShopHttpEnv per episode over one keep-alive
 * agent; `close()` closes every env and the agent's sockets. No browser is launched.
 */
export const createWebShopHttpEnvFactory = async (options: WebShopHttpEnvFactoryOptions): Promise<EnvFactory> => {
  await checkBaseUrl(options.baseUrl);
  const agent = createHttpAgent({ connections: options.connections ?? DEFAULT_HTTP_CONNECTIONS });
  const open = new Set<WebShopHttpEnv>();
  return {
    source: 'real',
    create() {
      const env = new WebShopHttpEnv({ ...options, agent });
      open.add(env);
      const close = env.close.bind(env);
      env.close = async () => {
        open.delete(env);
        await close();
      };
      return Promise.resolve(env);
    },
    async close() {
      await Promise.all([...open].map((env) => env.close()));
      await agent.close();
    },
  };
};
