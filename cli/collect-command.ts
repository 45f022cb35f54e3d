import { Command, Option } from 'commander';
import { formatSummary } from './format-summary.js';
import { parseGoalRange } from './goal-range.js';
import { intOption } from './parse-int-option.js';
import { runPlanFromFlags, type RunCommandFlags } from './run-plan-flags.js';
import { runTimestamp } from './run-timestamp.js';
import { addEnvOption, addSiteOptions } from './site-options.js';

/** `collect` is `run --schedule real` with collect's defaults: each selected task once, the site's policy. */
const runCollectCommand = async (flags: RunCommandFlags): Promise<void> => {
  const [{ executeRunPlan }, { withInterrupt }, { createLogger }] = await Promise.all([
    import('../harness/run-plan/run-plan.js'),
    import('./interrupt.js'),
    import('./logger.js'),
  ]);
  const logger = createLogger('collect');
  const options = runPlanFromFlags('collect', { ...flags, schedule: 'real', group: 1, out: flags.out ?? `runs/collect-${runTimestamp()}` });
  const outcome = await withInterrupt(logger, (signal) => executeRunPlan(options, logger, signal));
  console.log(formatSummary(outcome.result));
  console.log(`run directory: ${outcome.dir}`);
  if (outcome.interrupted) process.exitCode = 130;
};

export const collectCommand = (): Command =>
  addSiteOptions(
    addEnvOption(new Command('collect').description('collect episodes from a real site into a run directory (transitions.jsonl, episodes.jsonl, manifest.json)'))
      .option('--policy <policy>', "who acts (embedded, no LLM unless openai:NAME): the site's own (WebShop heuristic, its default), oracle (reference actions; the WebArena default), random, replay, openai:NAME")
      .option('--policy-base-url <url>', 'OpenAI-compatible endpoint of an openai:NAME policy (default OPENAI_BASE_URL)')
      .option('--actions <file>', 'for --policy replay: a JSON list of actions, or an object of goal index / task id → list')
      .option('--episodes <n>', 'episodes to collect (default: WebShop 20, goals in order from the split; WebArena every task once)', intOption(1))
      .addOption(new Option('--split <split>', 'goal split (WebShop: 0–499 test, 500–1499 eval, 1500+ train)').choices(['train', 'eval', 'test']).default('train'))
      .option('--goals <range>', 'explicit goal indices or task ids, e.g. 1500-1519 (overrides --split/--episodes)', parseGoalRange)
      .option('--concurrency <k>', 'episodes in flight at once, each in its own browser context', intOption(1, 64), 1)
      .option('--max-steps <m>', 'steps before an episode is truncated (default: WebShop 15, WebArena 30)', intOption(1, 1000))
      .option('--out <dir>', 'run directory (default runs/collect-<timestamp>)')
      .option('--resume', 'continue in a non-empty run directory, skipping episodes already finished')
      .option('--fsync', 'fsync every line (durable against power loss; slower)'),
    'collect',
  ).action(runCollectCommand);
