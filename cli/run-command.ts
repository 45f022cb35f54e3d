import { Command, Option } from 'commander';
import type { RunOutcome } from '../harness/run-plan/run-plan.js';
import { formatSummary } from './format-summary.js';
import { runPlanAction } from './run-plan-action.js';
import type { RunCommandFlags } from './run-plan-flags.js';
import { addEnvOption, addSiteOptions } from './site-options.js';
import { intOption } from './parse-int-option.js';
import { numberOption } from './number-option.js';
import { DEFAULT_BUFFER_MAX } from '../src/dream/default-buffer-max.js';
import { formatShadowCounts } from '../harness/shadow/shadow-counts.js';


const repeatable = (value: string, all: string[] = []): string[] => [...all, value];

const fmt = (x: number): string => x.toFixed(3);

/** The lines `run` prints when it finishes. */
export const formatRunOutcome = (outcome: RunOutcome, formatSummary: (s: RunOutcome['result']) => string, formatSchedule: (s: RunOutcome['schedule']) => string): string[] => {
  const lines = [`schedule ${formatSchedule(outcome.schedule)}: ${formatSummary(outcome.result)}`];
  const t = outcome.result.terminations;
  lines.push(`terminations: ${Object.entries(t).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`);
  if (outcome.budget) {
    lines.push(`real budget: ${outcome.budget.used} used of ${outcome.budget.cap} (${outcome.budget.reserved} reserved, ${outcome.budget.remaining} left)${outcome.result.budgetExhausted ? ' — exhausted' : ''}`);
  }
  const grouped = outcome.groups.filter((g) => g.count > 1);
  if (grouped.length > 0) {
    lines.push(`groups (${grouped.length} tasks with ≥ 2 rollouts): mean of V_τ ${fmt(grouped.reduce((s, g) => s + g.variance, 0) / grouped.length)}`);
    for (const g of grouped.slice(0, 10)) lines.push(`  task ${g.task_id}: n ${g.count}, mean ${fmt(g.mean)}, variance ${fmt(g.variance)}`);
    if (grouped.length > 10) lines.push(`  … ${grouped.length - 10} more in manifest.json (result.groups)`);
  }
  if (outcome.result.shadow) lines.push(formatShadowCounts(outcome.result.shadow));
  if (outcome.fidelity) {
    const { eps_R: r, eps_P: p } = outcome.fidelity;
    lines.push(`fidelity: eps_R ${fmt(r.mean)} [${fmt(r.ci_low)}, ${fmt(r.ci_high)}] over ${r.n} steps; eps_P ${fmt(p.mean)} [${fmt(p.ci_low)}, ${fmt(p.ci_high)}]`);
    lines.push(`report: ${outcome.fidelity.htmlPath}`);
  }
  if (outcome.resumed) lines.push(`resumed: ${outcome.resumed.finished} episodes already finished, ${outcome.resumed.orphans} cut by a crash marked interrupted and re-run`);
  lines.push(`run directory: ${outcome.dir}`);
  return lines;
};

/** `run`: the schedule the user names, the run's lines. */
const runCommandAction = async (flags: RunCommandFlags): Promise<void> => {
  const { formatSchedule } = await import('../harness/schedule.js');
  await runPlanAction('run', flags, {}, (outcome) => formatRunOutcome(outcome, formatSummary, formatSchedule));
};

export const runCommand = (): Command =>
  addSiteOptions(addEnvOption(
    new Command('run')
      .description('run episodes in dream, on the real site, or switched between them (s2r, mix) under an exact real-interaction cap'))
      .option('--schedule <schedule>', 'real | dream | s2r (--dream-episodes first, then real) | mix:P (each episode real with probability P)', 'dream')
      .option('--dream-episodes <n>', 's2r: episodes run in dream before the real ones', intOption(0))
      .option('--real-cap <n>', 'real interactions allowed (every real step counts, invalid and failed ones too)', intOption(0))
      .option('--ledger <file>', 'persistent real-interaction ledger shared by runs and processes (created with --real-cap when missing): a file, or redis://[user:password@]host:port[/db]#KEY shared by many machines')
      .addOption(new Option('--on-budget-exhausted <what>', 'when the real budget is spent: stop (a normal finish) or continue the remaining episodes in dream').choices(['stop', 'dream']).default('stop'))
      .option('--count-resets', 'resets count as real interactions too (default: only steps)')
      .option('--model <model>', 'experience model: retrieval (embedded lookup table over --buffer) or openai:NAME', 'retrieval')
      .option('--model-base-url <url>', 'OpenAI-compatible endpoint of the experience model (default OPENAI_BASE_URL)')
      .option('--prompt-dir <dir>', 'directory of prompt templates overriding the experience model\'s built-in ones')
      .option('--embed <embed>', 'retrieval embeddings: hashed (embedded TF-IDF) or openai:NAME', 'hashed')
      .option('--embed-base-url <url>', 'OpenAI-compatible endpoint of the embedder (default OPENAI_BASE_URL)')
      .option('--buffer <path>', 'replay buffer: a run directory from collect/run or a transitions JSONL (repeatable)', repeatable, [] as string[])
      .option('--buffer-max <n>', 'replay-buffer cap in transitions (recorded + this run\'s); past it the oldest dream transition goes first, then the oldest', intOption(1), DEFAULT_BUFFER_MAX)
      .option('--buffer-stream <url>', 'share transitions with other runs and servers: redis://[user:password@]host:port[/db]#STREAM (each appends its own and retrieves everyone\'s; a late starter catches up first)')
      .option('--task-file <file>', 'tasks as JSONL of {task_id, instruction} (default: the site\'s split, else the buffer\'s tasks)')
      .addOption(new Option('--split <split>', 'goal split of the site (WebShop: 0–499 test, 500–1499 eval, 1500+ train)').choices(['train', 'eval', 'test']).default('train'))
      .option('--policy <policy>', 'who acts: the site\'s own (WebShop heuristic, its default), oracle (reference actions; the WebArena default), random, replay, openai:NAME')
      .option('--real-policy <policy>', 'who acts in real episodes (default: --policy)')
      .option('--policy-base-url <url>', 'OpenAI-compatible endpoint of an openai:NAME policy (default OPENAI_BASE_URL)')
      .option('--actions <file>', 'for --policy replay: a JSON list of actions, or an object of task id → list')
      .option('--episodes <n>', 'episodes in total', intOption(1), 20)
      .option('--group <g>', 'rollouts per task (GRPO-style groups; per-task reward mean and variance are reported)', intOption(1), 1)
      .option('--concurrency <k>', 'episodes in flight at once', intOption(1, 256), 1)
      .option('--real-concurrency <k>', 'real episodes in flight at once, each in its own browser context (default: --concurrency)', intOption(1, 64))
      .option('--max-steps <m>', 'steps before an episode is truncated (default: WebShop 15, WebArena 30)', intOption(1, 1000))
      .option('--shadow <k>', 'fidelity: K experience-model predictions per real step, written to shadow.jsonl; fidelity.json and report.html at the end', intOption(0, 64))
      .option('--gamma <g>', 'discount of the fidelity bound (γ < 1)', numberOption(0, 1, true))
      .option('--r-max <r>', 'largest reward of the fidelity bound', numberOption(0, Number.MAX_VALUE))
      .option('--restart-browser-after <n>', 'browser contexts per browser before it is restarted, bounding memory on long runs (default 50)', intOption(1))
      .option('--episode-timeout <ms>', 'wall-clock limit per episode; past it the episode ends "error" (EPISODE_TIMEOUT)', intOption(100))
      .option('--out <dir>', 'run directory (default runs/run-<timestamp>)')
      .option('--resume', 'continue an interrupted run in --out: finished episodes are kept, cut ones re-run under new ids')
      .option('--fsync', 'fsync every line (durable against power loss; slower)'),
  'run').action(runCommandAction);
