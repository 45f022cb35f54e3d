import type { Logger } from 'pino';
import { webArenaFactsOf, webArenaSite, type WebArenaFacts, type WebArenaLocation } from '../adapters/webarena/webarena-site-definition.js';
import { parseWebArenaTasks } from '../adapters/webarena/webarena-task-config.js';
import type { LoginCredentials } from '../adapters/webarena/webarena-login.js';
import { webShopSite, webShopTasks, type WebShopFacts, type WebShopLocation } from '../adapters/webshop/webshop-site-definition.js';
import { WEBSHOP_KEY_VERSION, WEBSHOP_PROFILE_VERSION } from '../adapters/webshop/webshop-profile.js';
import { ConfigInvalidError } from '../src/env/errors.js';
import type { LocalSite, SiteDefinition, SiteFacts } from '../src/env/site-definition.js';

/**
 * The site registry: every site the CLI and the server know, each with its local copy (`--fixture`).
 * Adding a site is one module in adapters/ (its SiteDefinition) and one entry here.
 */
export interface RegisteredSite<Facts extends SiteFacts = SiteFacts, Location = unknown> {
  definition: SiteDefinition<Facts, Location>;
  /** The local copy for tests, the demo and benchmarks, prepared from the run's seed. */
  local?: (seed: number) => Promise<LocalSite<Facts, Location>>;
}

// The local sites load on use (commands build their flags from the registry; few start a fixture).
const localWebShop = async (seed: number): Promise<LocalSite<WebShopFacts, WebShopLocation>> => {
  const [{ buildWebShopSite }, { startWebShop }] = await Promise.all([import('../fixtures/webshop/webshop-site.js'), import('../fixtures/webshop/server.js')]);
  const site = await buildWebShopSite({ seed });
  const fixture = { seed: site.seed, products: site.products.length, goals: site.goals.length, catalog_hash: site.catalogHash() };
  return {
    facts: {
      goalCount: site.goals.length,
      tasks: webShopTasks(site.goals.length, (index) => site.goals[index]?.instruction_text),
      manifest: { env: 'webshop', profile_version: WEBSHOP_PROFILE_VERSION, key_version: WEBSHOP_KEY_VERSION, goal_count: site.goals.length, fixture },
    },
    start: async (logger: Logger) => {
      const running = await startWebShop(site, { port: 0, logger });
      return { baseUrl: running.url, close: () => running.close() };
    },
  };
};

const localWebArena = async (): Promise<LocalSite<WebArenaFacts, WebArenaLocation>> => {
  const [{ loadFixtureTasks, loadReferenceActions }, { startWebArenaFixture }, { webArenaCredentials }] = await Promise.all([
    import('../fixtures/webarena/reference-actions.js'),
    import('../fixtures/webarena/server.js'),
    import('../fixtures/webarena/sites.js'),
  ]);
  const tasks = parseWebArenaTasks(loadFixtureTasks(), 'fixtures/webarena/tasks.json');
  return {
    facts: webArenaFactsOf(tasks, {
      login: webArenaCredentials as Record<string, LoginCredentials>,
      authDir: process.cwd(),
      local: true,
      reference: loadReferenceActions(),
      manifest: { fixture: { tasks: tasks.length } },
    }),
    start: async (logger: Logger) => {
      const running = await startWebArenaFixture({ port: 0, logger });
      return { sitesFor: (episode: string) => running.sitesFor(episode), close: () => running.close() };
    },
  };
};

const webShop: RegisteredSite<WebShopFacts, WebShopLocation> = { definition: webShopSite, local: localWebShop };
const webArena: RegisteredSite<WebArenaFacts, WebArenaLocation> = { definition: webArenaSite, local: localWebArena };

/** Every registered site, in the order `--help` lists them. */
export const siteRegistry: readonly RegisteredSite[] = [webShop, webArena] as unknown as readonly RegisteredSite[];

/** The names `--env` accepts. */
export const siteNames = (): string[] => siteRegistry.map((s) => s.definition.name);

/** The registered site of `--env NAME`, or CONFIG_INVALID listing the registered ones. */
export const siteNamed = (name: string): RegisteredSite => {
  const site = siteRegistry.find((s) => s.definition.name === name);
  if (!site) throw new ConfigInvalidError(`--env ${name}: expected ${siteNames().join(' or ')}`);
  return site;
};
