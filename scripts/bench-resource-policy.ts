/**
 * The resource policy on a real-site-like page: step latency of the WebShop adapter when every
 * page's head references an unreachable origin (a CDN script and stylesheet that never answer),
 * against the same fixture pages without them, in one run. Both go through the same rewriting
 * proxy so only the injected references differ. Target: ratio ≤ 1.25.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWebShopEnvFactory } from '../adapters/webshop/webshop-env-factory.js';
import { startWebShop } from '../fixtures/webshop/server.js';
import { buildWebShopSite } from '../fixtures/webshop/webshop-site.js';
import { median, percentile } from './lib/stats.js';

const listen = async (server: Server): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

/** Forwards to `target`; HTML bodies get `inject` right after `<head>`. */
const proxyTo = (target: string, inject: string): Server =>
  createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const payload = Buffer.concat(chunks);
      fetch(`${target}${req.url ?? '/'}`, {
        method: req.method ?? 'GET',
        redirect: 'manual',
        headers: { 'content-type': req.headers['content-type'] ?? 'text/plain' },
        ...(payload.length > 0 ? { body: new Uint8Array(payload) } : {}),
      })
        .then(async (up) => {
          const headers = Object.fromEntries([...up.headers].filter(([k]) => !['content-encoding', 'content-length', 'transfer-encoding'].includes(k)));
          let body = await up.text();
          if ((up.headers.get('content-type') ?? '').includes('html')) body = body.replace('<head>', `<head>${inject}`);
          res.writeHead(up.status, headers);
          res.end(body);
        })
        .catch(() => res.destroy());
    });
  });

const ACTIONS = ['search[garden]', 'click[{asin}]', 'click[description]', 'click[< prev]', 'click[< prev]', 'click[back to search]'];

const stepLatencies = async (baseUrl: string, episodes: number): Promise<number[]> => {
  const factory = await createWebShopEnvFactory({ baseUrl, timeoutMs: 15_000 });
  const env = await factory.create();
  const samples: number[] = [];
  try {
    for (let e = 0; e < episodes; e += 1) {
      let obs = await env.reset({ task_id: String(1500 + e), env: 'webshop' });
      for (const template of ACTIONS) {
        const clickables = (obs.available_actions as { clickables: string[] }).clickables;
        const action = template.replace('{asin}', clickables.find((c) => /^b0/.test(c)) ?? 'next >');
        const step = await env.step(action);
        samples.push(step.info.latency_ms as number);
        obs = step.observation;
      }
    }
  } finally {
    await env.close();
    await factory.close();
  }
  return samples;
};

export interface ResourcePolicyBench {
  steps: number;
  fixture_p50_ms: number;
  fixture_p90_ms: number;
  unreachable_cdn_p50_ms: number;
  unreachable_cdn_p90_ms: number;
  /** Median step latency with the unreachable references over the plain pages' (target ≤ 1.25). */
  ratio_p50: number;
}

export const benchResourcePolicy = async ({ episodes = 6 } = {}): Promise<ResourcePolicyBench> => {
  const site = await buildWebShopSite({ seed: 0, size: 1000 });
  const running = await startWebShop(site, { port: 0 });
  const blackhole = createServer(() => undefined); // accepts, never answers
  const cdn = await listen(blackhole);
  const plain = proxyTo(running.url, '');
  const withCdn = proxyTo(running.url, `<script src="${cdn}/jquery.min.js"></script><link rel="stylesheet" href="${cdn}/bootstrap.min.css">`);
  try {
    const [plainUrl, cdnUrl] = [await listen(plain), await listen(withCdn)];
    await stepLatencies(plainUrl, 1); // warm-up
    const base = await stepLatencies(plainUrl, episodes);
    const cdnSamples = await stepLatencies(cdnUrl, episodes);
    return {
      steps: base.length,
      fixture_p50_ms: median(base),
      fixture_p90_ms: percentile(base, 90),
      unreachable_cdn_p50_ms: median(cdnSamples),
      unreachable_cdn_p90_ms: percentile(cdnSamples, 90),
      ratio_p50: median(cdnSamples) / median(base),
    };
  } finally {
    for (const s of [plain, withCdn, blackhole]) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
    await running.close();
  }
};
