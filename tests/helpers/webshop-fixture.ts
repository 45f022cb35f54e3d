import { startWebShop, type RunningWebShop } from '../../fixtures/webshop/server.js';
import { buildWebShopSite, type WebShopSite, type WebShopSiteOptions } from '../../fixtures/webshop/webshop-site.js';

export interface FixtureHandle {
  site: WebShopSite;
  running: RunningWebShop;
  url: string;
}

/** Builds a site and serves it on a free loopback port. */
export const startFixture = async (options: WebShopSiteOptions = {}): Promise<FixtureHandle> => {
  const site = await buildWebShopSite(options);
  const running = await startWebShop(site, { port: 0 });
  return { site, running, url: running.url };
};

export const getText = async (url: string, init?: RequestInit): Promise<{ status: number; body: string; location: string | null }> => {
  const response = await fetch(url, { redirect: 'manual', ...init });
  return { status: response.status, body: await response.text(), location: response.headers.get('location') };
};
