import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { reportError } from '../cli/report-error.js';
import { runCli } from './helpers/cli.js';

/** Runs the real CLI and expects exactly one stderr line `error CONFIG_INVALID: <line>`, exit 1, no stack. */
const expectFlagMistake = async (args: string[], line: string): Promise<void> => {
  const result = await runCli(args);
  expect(result.stderr, args.join(' ')).toBe(`error CONFIG_INVALID: ${line}\n`);
  expect(result.stderr).not.toContain('    at ');
  expect(result.code, args.join(' ')).toBe(1);
};

describe('flag mistakes through the real CLI', () => {
  // Concurrent: each case is its own process, mostly spent starting tsx.
  it.concurrent('an unknown flag', async () => {
    await expectFlagMistake(['collect', '--env', 'webshop', '--bogus'], "unknown option '--bogus'");
  });

  it.concurrent('a misspelt flag keeps the suggestion on the same line', async () => {
    await expectFlagMistake(['collect', '--env', 'webshop', '--max-stepz', '3'], "unknown option '--max-stepz' (Did you mean --max-steps?)");
  });

  it.concurrent('a non-numeric number flag', async () => {
    await expectFlagMistake(['collect', '--env', 'webshop', '--max-steps', 'abc'], `option '--max-steps <m>' argument 'abc' is invalid. "abc" is not an integer.`);
    await expectFlagMistake(['curriculum', '--runs', 'r', '--out', 'o', '--lambda', 'half'], `option '--lambda <l>' argument 'half' is invalid. "half" must be a number in 0..1.`);
  });

  it.concurrent('a missing required flag', async () => {
    await expectFlagMistake(['collect'], "required option '--env <env>' not specified");
  });

  it.concurrent('a flag without its value', async () => {
    await expectFlagMistake(['collect', '--env', 'webshop', '--max-steps'], "option '--max-steps <m>' argument missing");
  });

  it.concurrent('an invalid enum value', async () => {
    await expectFlagMistake(['serve', '--env', 'webshop', '--mode', 'bogus'], "option '--mode <mode>' argument 'bogus' is invalid. Allowed choices are real, dream, both.");
    await expectFlagMistake(['run', '--env', 'webshop', '--schedule', 'bogus'], '--schedule bogus: expected real, dream, s2r or mix:P');
  });

  it.concurrent('an unknown command', async () => {
    await expectFlagMistake(['bogus'], "unknown command 'bogus'");
  });

  it.concurrent('a bad combination of flags', async () => {
    await expectFlagMistake(['collect', '--env', 'webshop', '--fixture', '--policy', 'oracle'], '--policy oracle needs reference actions, which these WebShop tasks do not have: give --actions FILE');
    const ledger = join(mkdtempSync(join(tmpdir(), 'dreambridge-flags-')), 'ledger.json');
    await expectFlagMistake(
      ['budget', 'reset', '--ledger', ledger],
      `refusing to reset the ledger ${ledger} without --yes (it sets used to 0; real interactions already spent are not given back by the sites)`,
    );
  });

  it.concurrent('help and version are no mistake: exit 0', async () => {
    for (const args of [['--help'], ['collect', '--help'], ['--version']]) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stderr).toBe('');
    }
  });
});

describe('reportError', () => {
  afterEach(() => vi.restoreAllMocks());

  const printed = (error: unknown, env: NodeJS.ProcessEnv = {}): { code: number; lines: string[] } => {
    const lines: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => void lines.push(String(line)));
    return { code: reportError(error, env), lines };
  };

  it('prints typed errors, fixture ones and Node errno ones as `error CODE: message`', () => {
    expect(printed(Object.assign(new Error('products.json: not JSON'), { code: 'CATALOG_INVALID' }))).toEqual({ code: 1, lines: ['error CATALOG_INVALID: products.json: not JSON'] });
    expect(printed(Object.assign(new Error("ENOENT: no such file or directory, open 'x'"), { code: 'ENOENT' })).lines).toEqual(["error ENOENT: ENOENT: no such file or directory, open 'x'"]);
  });

  it('a commander parse error is CONFIG_INVALID on one line; help is exit 0 and prints nothing more', () => {
    const mistake = new CommanderError(1, 'commander.unknownOption', "error: unknown option '--x'\n(Did you mean --y?)");
    expect(printed(mistake)).toEqual({ code: 1, lines: ["error CONFIG_INVALID: unknown option '--x' (Did you mean --y?)"] });
    expect(printed(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'))).toEqual({ code: 0, lines: [] });
  });

  it('an unexpected error is its message and a hint, the stack only with DEBUG', () => {
    const bug = new TypeError('cannot read properties of undefined');
    const quiet = printed(bug);
    expect(quiet).toEqual({ code: 1, lines: ['error: cannot read properties of undefined (unexpected: rerun with DEBUG=1 for the stack trace)'] });
    const loud = printed(bug, { DEBUG: '1' });
    expect(loud.lines[0]).toContain('TypeError: cannot read properties of undefined\n    at ');
  });
});
