import { afterAll, beforeAll } from 'vitest';
import { createWebShopEnvFactory, type WebShopEnvFactory } from '../../adapters/webshop/webshop-env-factory.js';
import { startFixture, type FixtureHandle } from './webshop-fixture.js';

export interface Bridge {
  fixture: FixtureHandle;
  factory: WebShopEnvFactory;
}

/**
 * For a test file: the local WebShop (seed 0, 1000 products) and a WebShopEnv factory over it,
 * started before the file's tests and closed after them.
 */
export const useWebShopBridge = (): Bridge => {
  const bridge = {} as Bridge;
  beforeAll(async () => {
    bridge.fixture = await startFixture({ seed: 0, size: 1000 });
    bridge.factory = await createWebShopEnvFactory({ baseUrl: bridge.fixture.url });
  });
  afterAll(async () => {
    await bridge.factory?.close();
    await bridge.fixture?.running.close();
  });
  return bridge;
};
