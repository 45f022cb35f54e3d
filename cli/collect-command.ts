import { Command, Option } from 'commander';
import { ConfigInvalidError } from '../src/env/errors.js';
import type { CollectFlags } from './collect-run.js';
import { parseGoalRange } from './goal-range.js';
import { intOption } from './parse-int-option.js';
import { runTimestamp } from './run-timestamp.js';

type CollectCommandFlags = Omit<CollectFlags, 'policy' | 'episodes' | 'maxSteps'> & {
  policy?: 'heuristic' | 'random' | 'replay' | 'oracle';
  episodes?: number;
  maxSteps?: number;
  configs?: string;
  sites?: string;
  authDir?: string;
  login?: string[];
  judge?: string;
  judgeBaseUrl?: string;
  strictUrl?: boolean;
  compact?: boolean;
  clearBeforeType?: boolean;
};


/** Per-site defaults: WebShop 20 heuristic episodes of ≤ 15 steps; WebArena every task once, ≤ 30 steps. */
const collectFor = async (flags: CollectCommandFlags) => {
  const { browserSource, runCollect } = await import('./collect-run.js');
  if (flags.env === 'webarena') {
    const [{ runCollectWebArena }, { withInterrupt }, { createLogger }] = await Promise.all([
      import('./collect-webarena-run.js'),
      import('./interrupt.js'),
      import('./logger.js'),
    ]);
    const replay = flags.actions ? (await import('./replay-actions.js')).replayActions(flags.actions) : undefined;
    const { policy, ...rest } = flags;
    return withInterrupt(createLogger('collect'), (signal) =>
      runCollectWebArena(
        {
          ...rest,
          ...(policy === undefined || policy === 'heuristic' ? {} : { policy }),
          out: flags.out ?? `runs/collect-${runTimestamp()}`,
          browser: browserSource(flags),
          ...(replay ? { replayActions: replay } : {}),
        } as import('./collect-webarena-run.js').WebArenaCollectFlags,
        signal,
      ),
    );
  }
  if (flags.policy === 'oracle') throw new ConfigInvalidError('--policy oracle is for WebArena fixture tasks');
  return runCollect({ ...flags, policy: flags.policy ?? 'heuristic', episodes: flags.episodes ?? 20, maxSteps: flags.maxSteps ?? 15 });
};

const runCollectCommand = async (flags: CollectCommandFlags): Promise<void> => {
  const { formatSummary } = await import('./collect-run.js');
  const result = await collectFor(flags);
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
      .requiredOption('--env <env>', 'site: webshop or webarena')
      .addOption(
        new Option('--policy <policy>', 'who acts (embedded, no LLM); default heuristic on WebShop, oracle on the WebArena fixture (required on real WebArena sites)').choices([
          'heuristic',
          'random',
          'replay',
          'oracle',
        ]),
      )
      .option('--actions <file>', 'for --policy replay: a JSON list of actions, or an object of goal index / task id → list')
      .option('--episodes <n>', 'episodes to collect (default: WebShop 20, goals in order from the split; WebArena every task once)', intOption(1))
      .addOption(new Option('--split <split>', 'goal split (WebShop: 0–499 test, 500–1499 eval, 1500+ train)').choices(['train', 'eval', 'test']).default('train'))
      .option('--goals <range>', 'explicit goal indices, e.g. 1500-1519 (overrides --split/--episodes)', parseGoalRange)
      .option('--goal-count <n>', 'goals of a --url site (default 6910, WebShop\'s synthetic goals)', intOption(1))
      .option('--concurrency <k>', 'episodes in flight at once, each in its own browser context', intOption(1, 64), 1)
      .option('--max-steps <m>', 'steps before an episode is truncated (default: WebShop 15, WebArena 30)', intOption(1, 1000))
      .option('--configs <file>', 'WebArena: task configs in WebArena\'s format (one task or a list, e.g. test.raw.json)')
      .option('--sites <list>', 'WebArena: site URLs, e.g. shopping=http://host:7770,reddit=http://host:9999 (default: SHOPPING, REDDIT, … env vars)')
      .option('--auth-dir <dir>', 'WebArena: where relative storage_state paths resolve (default: the configs file\'s folder)')
      .option('--login <site=user:password[@/path]>', 'WebArena: form login for a site when its storage state is missing (repeatable)', (v: string, all: string[] = []) => [...all, v])
      .option('--judge <judge>', 'WebArena: LLM judge for fuzzy_match, openai:NAME (default: exact-match fallback, labelled judge "none")')
      .option('--judge-base-url <url>', 'WebArena: OpenAI-compatible endpoint of the judge (default: OPENAI_BASE_URL)')
      .option('--strict-url', 'WebArena: url_match bases must be equal (WebArena: reference contained in the prediction)')
      .option('--compact', "WebArena: observe DreamGym's compact view instead of the full accessibility tree")
      .option('--clear-before-type', 'WebArena: clear a field before typing (WebArena does not; on by default on the fixture, whose reference sequences assume it)')
      .option('--out <dir>', 'run directory (default runs/collect-<timestamp>)')
      .option('--resume', 'continue in a non-empty run directory, skipping episodes already finished')
      .option('--fsync', 'fsync every line (durable against power loss; slower)'),
  ).action(runCollectCommand);
