import { Command, Option } from 'commander';
import { formatSummary } from './format-summary.js';
import { intOption } from './parse-int-option.js';
import { numberOption } from './number-option.js';
import { formatRunOutcome } from './run-command.js';
import { runPlanAction } from './run-plan-action.js';
import type { RunCommandFlags } from './run-plan-flags.js';
import { addEnvOption, addSiteOptions } from './site-options.js';

/** `fidelity`: shadowed real episodes only, the run's lines. */
const fidelityAction = async (flags: RunCommandFlags): Promise<void> => {
  const { formatSchedule } = await import('../harness/schedule.js');
  await runPlanAction('fidelity', flags, { schedule: 'real', onBudgetExhausted: 'stop', group: 1 }, (outcome) => formatRunOutcome(outcome, formatSummary, formatSchedule));
};

/** `dreambridge fidelity`: shadowed real episodes on held-out tasks, then fidelity.json and report.html. */
export const fidelityCommand = (): Command =>
  addSiteOptions(addEnvOption(
    new Command('fidelity')
      .description('measure how far the dream is from the real site: shadowed real episodes on held-out tasks → fidelity.json (eps_R, eps_P with intervals, the bound) and report.html'))
      .option('--model <model>', 'experience model under test: retrieval (embedded lookup table over --buffer) or openai:NAME', 'retrieval')
      .option('--model-base-url <url>', 'OpenAI-compatible endpoint of the experience model (default OPENAI_BASE_URL)')
      .option('--prompt-dir <dir>', 'directory of prompt templates overriding the experience model\'s built-in ones')
      .option('--embed <embed>', 'retrieval embeddings: hashed (embedded TF-IDF) or openai:NAME', 'hashed')
      .option('--embed-base-url <url>', 'OpenAI-compatible endpoint of the embedder')
      .option('--buffer <path>', 'replay buffer: a run directory from collect/run or a transitions JSONL (repeatable)', (v: string, all: string[] = []) => [...all, v], [] as string[])
      .addOption(new Option('--split <split>', 'held-out goal split measured on (never the seeds\' train split by default)').choices(['train', 'eval', 'test']).default('eval'))
      .option('--policy <policy>', "who acts: the site's own (WebShop heuristic, its default), oracle (the WebArena default), random, replay, openai:NAME")
      .option('--policy-base-url <url>', 'OpenAI-compatible endpoint of an openai:NAME policy')
      .option('--actions <file>', 'for --policy replay: a JSON list of actions, or an object of task id → list')
      .option('--episodes <n>', 'real episodes measured', intOption(1), 10)
      .option('--shadow <k>', 'experience-model predictions per real step', intOption(1, 64), 4)
      .option('--concurrency <k>', 'episodes in flight at once', intOption(1, 64), 1)
      .option('--max-steps <m>', 'steps before an episode is truncated, also the bound\'s horizon H (default: WebShop 15, WebArena 30)', intOption(1, 1000))
      .option('--gamma <g>', 'discount of the bound (γ < 1)', numberOption(0, 1, true), 0.9)
      .option('--r-max <r>', 'largest reward of the bound', numberOption(0, Number.MAX_VALUE, false), 1)
      .option('--real-cap <n>', 'real interactions allowed', intOption(0))
      .option('--ledger <file>', 'persistent real-interaction ledger (a file, or redis://…#KEY)')
      .option('--out <dir>', 'run directory (default runs/fidelity-<timestamp>)'),
  'fidelity').action(fidelityAction);
