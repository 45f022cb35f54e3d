import { Command } from 'commander';
import { ConfigInvalidError } from '../src/env/errors.js';
import { intOption } from './parse-int-option.js';

interface DoctorFlags {
  env: string;
  url: string;
  goal: number;
  stepTimeout: number;
  json?: boolean;
}

const runDoctor = async (flags: DoctorFlags): Promise<void> => {
  if (flags.env !== 'webshop') {
    throw new ConfigInvalidError(`--env ${flags.env} is not supported yet (webshop is)`);
  }
  const { runWebShopDoctor } = await import('../adapters/webshop/webshop-doctor.js');
  const report = await runWebShopDoctor({ baseUrl: flags.url, goal: flags.goal, timeoutMs: flags.stepTimeout });
  if (flags.json) console.log(JSON.stringify(report, null, 2));
  else {
    console.log(`dreambridge doctor: WebShop at ${report.baseUrl}`);
    for (const check of report.checks) console.log(`${{ pass: 'ok  ', warn: 'warn', fail: 'FAIL' }[check.status]} ${check.name}: ${check.detail}`);
    console.log(report.ok ? 'conformant: the adapter can drive this site' : 'not conformant: see FAIL above');
  }
  process.exitCode = report.ok ? 0 : 1;
};

export const doctorCommand = (): Command =>
  new Command('doctor')
    .description("walk a WebShop deployment (search, results, item, option, sub-page, purchase) and say precisely what differs from what the adapter needs")
    .requiredOption('--env <env>', 'site: webshop')
    .requiredOption('--url <url>', 'base URL of the deployment')
    .option('--goal <n>', 'goal index of the session used for the walk', intOption(0), 0)
    .option('--step-timeout <ms>', 'per-step timeout', intOption(100), 30_000)
    .option('--json', 'print the report as JSON')
    .action(runDoctor);
