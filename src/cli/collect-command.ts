import { Command, Option } from 'commander';
import type { CollectFlags } from './collect-run.js';
import { parseGoalRange } from './goal-range.js';
import { intOption } from './parse-int-option.js';

const runCollectCommand = async (flags: CollectFlags): Promise<void> => {
  const { formatSummary, runCollect } = await import('./collect-run.js');
  const result = await runCollect(flags);
  console.log(formatSummary(result.summary));
  console.log(`run directory: ${result.dir}`);
  if (result.interrupted) process.exitCode = 130;
};

/** Options shared by `collect` and the demo: how to reach the site and the browser. */
export const addSiteOptions = (command: Command): Command =>
  command
    .option('--url <url>', 'base URL of your WebShop deployment (e.g. http://127.0.0.1:3000)')
    .option('--fixture', 'start the local WebShop on a free port for the run')
    .option('--seed <n>', 'seed of the local catalogue and of the random policy', intOption(0), 0)
    .option('--step-timeout <ms>', 'per-step timeout; a step past it ends its episode as "error"', intOption(100), 30_000)
    .option('--search-anywhere', 'allow search[...] on any page, as WebShop\'s text env does (default: only where the search bar is)')
    .addOption(new Option('--observation <mode>', 'observation text format').choices(['text', 'text_rich']).default('text'))
    .option('--browser-ws <url>', 'connect to a Playwright browser server (chromium.launchServer) instead of launching')
    .option('--browser-cdp <url>', 'connect to a Chromium over CDP (e.g. Browserless, a Selenium Grid node)')
    .option('--executable <path>', 'Chromium binary to launch (default: DREAMBRIDGE_CHROMIUM, Playwright\'s, the system\'s)');

export const collectCommand = (): Command =>
  addSiteOptions(
    new Command('collect')
      .description('collect episodes from a real site into a run directory (transitions.jsonl, episodes.jsonl, manifest.json)')
      .requiredOption('--env <env>', 'site: webshop')
      .addOption(new Option('--policy <policy>', 'who acts (embedded, no LLM)').choices(['heuristic', 'random', 'replay']).default('heuristic'))
      .option('--actions <file>', 'for --policy replay: a JSON list of actions, or an object of goal index → list')
      .option('--episodes <n>', 'episodes to collect, goals taken in order from the split', intOption(1), 20)
      .addOption(new Option('--split <split>', 'goal split (WebShop: 0–499 test, 500–1499 eval, 1500+ train)').choices(['train', 'eval', 'test']).default('train'))
      .option('--goals <range>', 'explicit goal indices, e.g. 1500-1519 (overrides --split/--episodes)', parseGoalRange)
      .option('--goal-count <n>', 'goals of a --url site (default 6910, WebShop\'s synthetic goals)', intOption(1))
      .option('--concurrency <k>', 'episodes in flight at once, each in its own browser context', intOption(1, 64), 1)
      .option('--max-steps <m>', 'steps before an episode is truncated', intOption(1, 1000), 15)
      .option('--out <dir>', 'run directory (default runs/collect-<timestamp>)')
      .option('--resume', 'continue in a non-empty run directory, skipping episodes already finished')
      .option('--fsync', 'fsync every line (durable against power loss; slower)'),
  ).action(runCollectCommand);
