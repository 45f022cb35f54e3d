import { Command, InvalidArgumentError, Option } from 'commander';
import type { BrowserChoice, SiteCommand, SiteFlag } from '../src/env/site-definition.js';
import { intOption } from './parse-int-option.js';
import { siteNames, siteRegistry } from './site-registry.js';

/** A site flag as a commander option; a parse error becomes commander's, which names the flag. */
const optionOf = (flag: SiteFlag): Option => {
  const option = new Option(flag.flags, flag.description);
  if (flag.choices) option.choices(flag.choices);
  if (flag.parse) {
    const parse = flag.parse;
    option.argParser((value: string, previous: unknown) => {
      try {
        return parse(value, previous);
      } catch (error) {
        throw new InvalidArgumentError((error as Error).message);
      }
    });
  }
  if (flag.defaultValue !== undefined) option.default(flag.defaultValue);
  return option;
};

/** `--env`: a registered site. */
export const addEnvOption = (command: Command): Command => command.requiredOption('--env <env>', `site: ${siteNames().join(' or ')}`);

/**
 * The options of every command that reaches a real site: where the site is (`--fixture` or each
 * registered site's own flags), the seed, the step deadline and the browser. The registry's flags
 * are added once each, in registry order.
 */
export const addSiteOptions = (command: Command, name: SiteCommand): Command => {
  command
    .option('--fixture', 'start the local copy of the site on a free port for the run')
    .option('--seed <n>', 'seed of the local catalogue and of the random policy', intOption(0), 0)
    .option('--step-timeout <ms>', 'per-step timeout; a step past it ends its episode as "error"', intOption(100), 30_000)
    .option('--browser-ws <url>', 'connect to a Playwright browser server (chromium.launchServer) instead of launching; repeat it for a farm (contexts spread by load, a dead endpoint retried later)', (value: string, all: string[] = []) => [...all, value])
    .option('--browser-ws-file <file>', 'browser-server endpoints, one ws:// URL per line (# comments), added to --browser-ws')
    .option('--browser-cdp <url>', 'connect to a Chromium over CDP (e.g. Browserless, a Selenium Grid node)')
    .option('--executable <path>', "Chromium binary to launch (default: DREAMBRIDGE_CHROMIUM, Playwright's, the system's)");
  const seen = new Set<string>();
  for (const { definition } of siteRegistry) {
    for (const flag of definition.flags) {
      if (seen.has(flag.flags) || (flag.commands && !flag.commands.includes(name))) continue;
      seen.add(flag.flags);
      command.addOption(optionOf(flag));
    }
  }
  return command;
};

/** The browser flags of a command's parsed options. */
export const browserChoiceOf = (flags: { browserWs?: string | string[]; browserWsFile?: string; browserCdp?: string; executable?: string }): BrowserChoice => ({
  ws: flags.browserWs,
  wsFile: flags.browserWsFile,
  cdp: flags.browserCdp,
  executable: flags.executable,
});
