import { Command } from 'commander';
import type { Ledger, OpenLedgerOptions } from '../src/budget/ledger.js';
import type { LedgerSnapshot } from '../src/budget/real-budget.js';
import { ConfigInvalidError } from '../src/env/errors.js';
import { intOption } from './parse-int-option.js';

interface LedgerFlags {
  ledger: string;
  json?: boolean;
}

/** The ledger loads only when a budget command runs (command definitions stay light); `redis://…#KEY` opens the Redis ledger. */
const loadLedger = async (): Promise<{ openLedger: (value: string, options: OpenLedgerOptions) => Promise<Ledger> }> => {
  const { isRedisUrl } = await import('../src/budget/redis-location.js');
  const file = await import('../src/budget/ledger.js');
  return {
    openLedger: async (value, options) => (isRedisUrl(value) ? (await import('../src/budget/redis-ledger.js')).openRedisLedger(value, options) : file.openLedger(value, options)),
  };
};

const print = (title: string, snapshot: LedgerSnapshot, json: boolean | undefined): void => {
  if (json) {
    console.log(JSON.stringify(snapshot, null, 2));
    return;
  }
  console.log(
    [
      `${title} ${snapshot.path ?? ''}`.trimEnd(),
      `cap        ${snapshot.cap}`,
      `used       ${snapshot.used}`,
      `reserved   ${snapshot.reserved}`,
      `remaining  ${snapshot.remaining}`,
      `updated    ${snapshot.updated_at}`,
    ].join('\n'),
  );
};

const show = async (flags: LedgerFlags): Promise<void> => {
  // Opening folds reservations of dead processes into `used`, so what is shown is what counts.
  const ledger = await (await loadLedger()).openLedger(flags.ledger, { create: false });
  try {
    print('ledger', await ledger.snapshot(), flags.json);
  } finally {
    await ledger.close();
  }
};

const init = async (flags: LedgerFlags & { cap: number }): Promise<void> => {
  const ledger = await (await loadLedger()).openLedger(flags.ledger, { cap: flags.cap });
  try {
    print('ledger', await ledger.snapshot(), flags.json);
  } finally {
    await ledger.close();
  }
};

const reset = async (flags: LedgerFlags & { cap?: number; yes?: boolean }): Promise<void> => {
  const what = flags.cap === undefined ? 'sets used to 0' : `sets used to 0 and the cap to ${flags.cap}`;
  if (!flags.yes) {
    throw new ConfigInvalidError(`refusing to reset the ledger ${flags.ledger} without --yes (it ${what}; real interactions already spent are not given back by the sites)`);
  }
  const ledger = await (await loadLedger()).openLedger(flags.ledger, { create: false });
  try {
    print('reset ledger', await ledger.reset(flags.cap), flags.json);
  } finally {
    await ledger.close();
  }
};

/** `dreambridge budget show|init|reset`: the persistent real-interaction ledger. */
export const budgetCommand = (): Command => {
  const budget = new Command('budget').description('the real-interaction budget: a ledger file shared by the processes of one machine, or redis://…#KEY shared by many machines');
  budget
    .command('show')
    .description('print cap, used, reserved and remaining (reservations of dead processes are counted as used)')
    .requiredOption('--ledger <file>', 'the ledger file, or redis://[user:password@]host:port[/db]#KEY')
    .option('--json', 'print the snapshot as JSON')
    .action(show);
  budget
    .command('init')
    .description('create a ledger with a cap (an existing one with the same cap is left as it is)')
    .requiredOption('--ledger <file>', 'the ledger file (its directory is created), or redis://[user:password@]host:port[/db]#KEY')
    .requiredOption('--cap <n>', 'real interactions allowed', intOption(0))
    .option('--json', 'print the snapshot as JSON')
    .action(init);
  budget
    .command('reset')
    .description('start the count over: used 0 (and a new cap with --cap); needs --yes')
    .requiredOption('--ledger <file>', 'the ledger file, or redis://[user:password@]host:port[/db]#KEY')
    .option('--cap <n>', 'a new cap (default: keep the current one)', intOption(0))
    .option('--yes', 'really reset')
    .option('--json', 'print the snapshot as JSON')
    .action(reset);
  return budget;
};
