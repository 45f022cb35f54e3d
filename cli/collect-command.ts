import { Command, Option } from 'commander';
import { formatSummary } from './format-summary.js';
import { parseGoalRange } from './goal-range.js';
import { intOption } from './parse-int-option.js';
import { runPlanAction } from './run-plan-action.js';
import type { RunCommandFlags } from './run-plan-flags.js';
import { addEnvOption, addSiteOptions } from './site-options.js';

/** `collect` is `run --schedule real` with collect's defaults: each selected task once, the site's policy. */
const runCollectCommand = (flags: RunCommandFlags): Promise<void> =>
  runPlanAction('collect', flags, { schedule: 'real', group: 1 }, (outcome) => [formatSummary(outcome.result), `run directory: ${outcome.dir}`]);

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
