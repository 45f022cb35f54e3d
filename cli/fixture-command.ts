import { Command, Option } from 'commander';
import type { WebShopFixtureFlags } from './fixture-webshop-run.js';
import { intOption } from './parse-int-option.js';

/** Command definitions stay light; the site and its libraries load only when the command runs. */
const runWebShopFixture = async (flags: WebShopFixtureFlags): Promise<void> =>
  (await import('./fixture-webshop-run.js')).runWebShopFixture(flags);

export const fixtureCommand = (): Command => {
  const fixture = new Command('fixture').description('run a local benchmark site (for tests, the demo and benchmarks)');
  fixture
    .command('webshop')
    .description(
      'serve a faithful WebShop (same routes, page structure, text and reward) on a generated or real catalogue; prints its base URL',
    )
    .option('--port <n>', 'port to listen on (0 = any free port)', intOption(0, 65535), 3000)
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--products <file>', "WebShop's raw product file (e.g. items_shuffle_1000.json); needs --instructions")
    .option('--instructions <file>', "WebShop's items_ins_v2 file (e.g. items_ins_v2_1000.json)")
    .option('--human-instructions <file>', "WebShop's items_human_ins.json: adds the crowd-written goals")
    .addOption(
      new Option('--goal-set <set>', 'goals to index (default: human with --human-instructions, else synthetic)').choices([
        'synthetic',
        'human',
        'all',
      ]),
    )
    .option('--seed <n>', 'seed of the generated catalogue, hidden prices and goal order', intOption(0), 0)
    .option('--size <n>', 'number of generated products', intOption(1, 1_000_000), 1000)
    .option('--attrs', 'show the Attributes tab (leaks annotations; benchmarks run without it)', false)
    .option('--export-catalog <dir>', "write the catalogue and goals in WebShop's own schemas to DIR")
    .action(runWebShopFixture);
  fixture
    .command('webarena')
    .description('serve WebArena-style sites (a shop admin and a forum) with state namespaced and reset per episode; prints the URLs, logins and the tasks file')
    .option('--port <n>', 'port to listen on (0 = any free port)', intOption(0, 65535), 0)
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .action(async (flags: { port: number; host: string }) => (await import('./fixture-webarena-run.js')).runWebArenaFixture(flags));
  return fixture;
};
