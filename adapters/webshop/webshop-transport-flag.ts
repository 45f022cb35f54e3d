import type { OpenedSite, SiteFlag, SiteOpenOptions } from '../../src/env/site-definition.js';

/** How real WebShop steps reach the site: a Playwright browser (default) or plain HTTP. */
export type WebShopTransport = 'browser' | 'http';

export const DEFAULT_WEBSHOP_TRANSPORT: WebShopTransport = 'browser';

/** `--transport`: a site flag, so every command that reaches the real WebShop takes it. */
export const TRANSPORT_FLAG: SiteFlag = {
  flags: '--transport <kind>',
  description:
    "how real steps reach WebShop: browser (Playwright) or http (plain HTTP, no browser; WebShop is server-rendered and `dreambridge doctor --transport http` proves the observations identical)",
  choices: ['browser', 'http'],
  defaultValue: DEFAULT_WEBSHOP_TRANSPORT,
};

/** Requests in flight when the run names no concurrency (a server's pool). */
const DEFAULT_SERVE_CONNECTIONS = 32;

/**
 * The http transport's real envs: one keep-alive agent whose connections are the run's
 * concurrency (the cluster's size for runs), no browser, `transport: 'http'` in the manifest.
 */
export const openWebShopOverHttp = async (options: SiteOpenOptions, baseUrl: string): Promise<OpenedSite> => {
  const flags = options.flags as { searchAnywhere?: boolean; observation?: 'text' | 'text_rich' };
  const { createWebShopHttpEnvFactory } = await import('./webshop-http-env-factory.js');
  const connections = options.contexts.kind === 'cluster' ? options.contexts.concurrency : DEFAULT_SERVE_CONNECTIONS;
  const factory = await createWebShopHttpEnvFactory({
    baseUrl,
    connections,
    maxSteps: options.profile.maxSteps,
    timeoutMs: options.stepTimeoutMs,
    searchAnywhere: flags.searchAnywhere ?? false,
    observationMode: flags.observation ?? 'text',
  });
  return {
    factory,
    manifest: { ...options.facts.manifest, base_url: baseUrl, observation: flags.observation ?? 'text', search_anywhere: flags.searchAnywhere ?? false, transport: 'http', http_connections: connections },
    close: () => factory.close(),
  };
};
