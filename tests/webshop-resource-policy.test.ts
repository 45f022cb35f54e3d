import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebShopEnvFactory } from '../adapters/webshop/webshop-env-factory.js';
import { startProxy } from './helpers/rewriting-proxy.js';
import { useWebShopBridge } from './helpers/webshop-bridge.js';

const bridge = useWebShopBridge();

describe('an unreachable external script in the page head', () => {
  let blackhole: Server;
  let proxy: { url: string; close(): Promise<void> };

  beforeAll(async () => {
    // Accepts connections and never answers: a CDN an offline deployment cannot reach.
    blackhole = createServer(() => undefined);
    await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
    const cdn = `http://127.0.0.1:${(blackhole.address() as AddressInfo).port}`;
    proxy = await startProxy(bridge.fixture.url, {
      rewrite: (_url, html) =>
        html.replace('<head>', `<head><script src="${cdn}/jquery.min.js"></script><link rel="stylesheet" href="${cdn}/bootstrap.css">`),
    });
  });

  afterAll(async () => {
    await proxy?.close();
    blackhole?.closeAllConnections();
    await new Promise<void>((resolve) => blackhole?.close(() => resolve()));
  });

  it('costs no step time: requests to other origins are refused at once', async () => {
    const factory = await createWebShopEnvFactory({ baseUrl: proxy.url, timeoutMs: 10_000 });
    const env = await factory.create();
    try {
      const started = performance.now();
      const obs = await env.reset({ task_id: '1600', env: 'webshop' });
      expect(obs.page_type).toBe('search');
      const step = await env.step('search[garden]');
      expect(step.observation.page_type).toBe('results');
      // A blocked script would hold each navigation for the whole timeout (10 s).
      expect(performance.now() - started).toBeLessThan(4_000);
      expect(step.info.latency_ms).toBeLessThan(2_000);
    } finally {
      await env.close();
      await factory.close();
    }
  });

  it('with --allow-external-resources the page waits for the script (why the policy exists)', async () => {
    const factory = await createWebShopEnvFactory({ baseUrl: proxy.url, timeoutMs: 1_500, allowExternalResources: true });
    const env = await factory.create();
    try {
      await expect(env.reset({ task_id: '1600', env: 'webshop' })).rejects.toThrow();
    } finally {
      await env.close();
      await factory.close();
    }
  });
});
