import { Command, Option } from 'commander';
import { ConfigInvalidError } from '../src/env/errors.js';
import { createLogger } from './logger.js';
import { intOption } from './parse-int-option.js';

interface DoctorFlags {
  env: string;
  url?: string;
  fixture?: boolean;
  goal: number;
  stepTimeout: number;
  transport: 'browser' | 'http';
  episodes: number;
  json?: boolean;
}

/** The local WebShop when `--fixture`, else the user's `--url`; `close` stops what was started. */
const siteOf = async (flags: DoctorFlags): Promise<{ baseUrl: string; close: () => Promise<void> }> => {
  if (flags.url && flags.fixture) throw new ConfigInvalidError('give --url or --fixture, not both');
  if (flags.url) return { baseUrl: flags.url, close: () => Promise.resolve() };
  if (!flags.fixture) throw new ConfigInvalidError('doctor needs --url URL (your WebShop) or --fixture (the local one)');
  const [{ buildWebShopSite }, { startWebShop }] = await Promise.all([import('../fixtures/webshop/webshop-site.js'), import('../fixtures/webshop/server.js')]);
  const running = await startWebShop(await buildWebShopSite({ seed: 0 }), { port: 0, logger: createLogger('webshop-fixture') });
  return { baseUrl: running.url, close: () => running.close() };
};

const runDoctor = async (flags: DoctorFlags): Promise<void> => {
  if (flags.env !== 'webshop') {
    throw new ConfigInvalidError(`--env ${flags.env} is not supported yet (webshop is)`);
  }
  const site = await siteOf(flags);
  try {
    const { runWebShopDoctor } = await import('../adapters/webshop/webshop-doctor.js');
    const report = await runWebShopDoctor({ baseUrl: site.baseUrl, goal: flags.goal, timeoutMs: flags.stepTimeout, transport: flags.transport });
    if (flags.transport === 'http' && report.ok) {
      // The walk passed over http; now the proof that http and browser observe the same.
      const [{ runWebShopTransportCheck }, { createRandomPolicy }, { createWebShopProfile }] = await Promise.all([
        import('../adapters/webshop/webshop-transport-check.js'),
        import('../harness/policies/random-policy.js'),
        import('../adapters/webshop/webshop-profile.js'),
      ]);
      const profile = createWebShopProfile({});
      const goals = Array.from({ length: flags.episodes }, (_, i) => flags.goal + i);
      const progress = process.stderr.isTTY ? (done: number, total: number) => process.stderr.write(`\rtransport equivalence: ${done}/${total} episodes`) : undefined;
      report.checks.push(
        ...(await runWebShopTransportCheck({
          baseUrl: site.baseUrl,
          goals,
          randomPolicy: (seed) => createRandomPolicy({ seed, profile }),
          timeoutMs: flags.stepTimeout,
          ...(progress ? { onEpisode: progress } : {}),
        })),
      );
      if (progress) process.stderr.write('\n');
      report.ok = report.checks.every((c) => c.status !== 'fail');
    }
    if (flags.json) console.log(JSON.stringify({ ...report, transport: flags.transport }, null, 2));
    else {
      console.log(`dreambridge doctor: WebShop at ${report.baseUrl} (transport ${flags.transport})`);
      for (const check of report.checks) console.log(`${{ pass: 'ok  ', warn: 'warn', fail: 'FAIL' }[check.status]} ${check.name}: ${check.detail}`);
      console.log(report.ok ? `conformant: the adapter can drive this site${flags.transport === 'http' ? ' over http, with observations identical to the browser' : ''}` : 'not conformant: see FAIL above');
    }
    process.exitCode = report.ok ? 0 : 1;
  } finally {
    await site.close();
  }
};

export const doctorCommand = (): Command =>
  new Command('doctor')
    .description(
      'walk a WebShop deployment (search, results, item, option, sub-page, purchase) and say precisely what differs from what the adapter needs; with --transport http, also replay episodes through browser and http and require identical transitions',
    )
    .requiredOption('--env <env>', 'site: webshop')
    .option('--url <url>', 'base URL of the deployment')
    .option('--fixture', 'check the local WebShop instead of a --url')
    .addOption(new Option('--transport <kind>', 'transport to check: browser, or http (adds the browser/http equivalence check)').choices(['browser', 'http']).default('browser'))
    .option('--episodes <n>', 'with --transport http: goals replayed (each as a tour of every action kind, a heuristic and a random episode)', intOption(1), 5)
    .option('--goal <n>', 'goal index of the session used for the walk (and the first goal replayed)', intOption(0), 0)
    .option('--step-timeout <ms>', 'per-step timeout', intOption(100), 30_000)
    .option('--json', 'print the report as JSON')
    .action(runDoctor);
