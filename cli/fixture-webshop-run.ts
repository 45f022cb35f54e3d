import { exportCatalog } from '../fixtures/webshop/export-catalog.js';
import { startWebShop } from '../fixtures/webshop/server.js';
import { buildWebShopSite, type GoalSet } from '../fixtures/webshop/webshop-site.js';
import { createLogger } from './logger.js';
import { onShutdown } from './shutdown.js';

export interface WebShopFixtureFlags {
  port: number;
  host: string;
  products?: string;
  instructions?: string;
  humanInstructions?: string;
  goalSet?: GoalSet;
  seed: number;
  size: number;
  attrs: boolean;
  exportCatalog?: string;
}

/** Builds the site, then exports it (and exits) with --export-catalog, or serves it until SIGINT/SIGTERM. */
export const runWebShopFixture = async (flags: WebShopFixtureFlags): Promise<void> => {
  const logger = createLogger('fixture-webshop');
  const started = performance.now();
  const site = await buildWebShopSite({
    ...(flags.products === undefined ? {} : { productsFile: flags.products }),
    ...(flags.instructions === undefined ? {} : { instructionsFile: flags.instructions }),
    ...(flags.humanInstructions === undefined ? {} : { humanInstructionsFile: flags.humanInstructions }),
    ...(flags.goalSet === undefined ? {} : { goalSet: flags.goalSet }),
    seed: flags.seed,
    size: flags.size,
    showAttrs: flags.attrs,
  });
  const origin = site.source === 'generated' ? `generated, seed ${site.seed}` : `from ${flags.products}`;
  console.log(
    `WebShop fixture: ${site.products.length} products (${origin}), ${site.goals.length} goals ` +
      `(test ${site.splits.test}, eval ${site.splits.eval}, train ${site.splits.train})`,
  );
  if (flags.exportCatalog !== undefined) {
    // Exporting is a command of its own: write the files and exit, nothing is served (no port taken).
    for (const file of exportCatalog(site, flags.exportCatalog)) console.log(`wrote ${file}`);
    return;
  }
  const running = await startWebShop(site, { port: flags.port, host: flags.host, logger });
  console.log(`WebShop fixture listening on ${running.url}`);
  logger.info({ url: running.url, startupMs: Math.round(performance.now() - started) }, 'ready');
  onShutdown(async (signal) => {
    logger.info({ signal }, 'shutting down');
    await running.close();
  });
};

