import { Command, Option } from 'commander';
import { intOption } from './parse-int-option.js';
import { addEnvOption, addSiteOptions, browserChoiceOf } from './site-options.js';
import { siteNamed } from './site-registry.js';

interface BranchFlags extends Record<string, unknown> {
  env: string;
  from: string[];
  k: number;
  policy: string;
  policyBaseUrl?: string;
  states: 'all' | 'non-terminal';
  maxStepsExpert: number;
  realCap?: number;
  ledger?: string;
  concurrency: number;
  seed: number;
  stepTimeout: number;
  out: string;
  resume?: boolean;
  fsync?: boolean;
  browserWs?: string[];
  browserWsFile?: string;
  browserCdp?: string;
  executable?: string;
}

const runBranchCommand = async (flags: BranchFlags): Promise<void> => {
  const [{ executeBranchPlan }, { withInterrupt }, { createLogger }] = await Promise.all([import('../harness/branch/branch-plan.js'), import('./interrupt.js'), import('./logger.js')]);
  const logger = createLogger('branch');
  const registered = siteNamed(flags.env);
  const outcome = await withInterrupt(logger, (signal) =>
    executeBranchPlan(
      {
        site: registered.definition, local: registered.local, siteFlags: flags, browser: browserChoiceOf(flags), seed: flags.seed,
        from: flags.from, k: flags.k, policy: flags.policy, policyBaseUrl: flags.policyBaseUrl, states: flags.states, maxStepsExpert: flags.maxStepsExpert,
        realCap: flags.realCap, ledger: flags.ledger, concurrency: flags.concurrency, stepTimeout: flags.stepTimeout, out: flags.out, resume: flags.resume, fsync: flags.fsync,
      },
      logger,
      signal,
    ),
  );
  const { states, alternatives, real_interactions: real } = outcome.report;
  console.log(`states ${states.finished}/${states.planned}: ${states.verified} verified, ${states.mismatched} mismatched, ${states.errors} errors; ${alternatives.total} alternatives`);
  console.log(`real interactions ${real.total} (replay ${real.replay}, branches ${real.branches}; ${real.per_branch === null ? '-' : real.per_branch.toFixed(2)} per branch)`);
  if (outcome.stopped) console.log(`stopped early: ${outcome.stopped} (--resume continues)`);
  console.log(`run directory: ${outcome.dir}`);
  if (outcome.stopped === 'interrupted') process.exitCode = 130;
};

export const branchCommand = (): Command =>
  addSiteOptions(
    addEnvOption(new Command('branch').description('Early Experience: K alternative actions at every state of expert episodes, each taken on the real site from the restored (replayed, verified) state'))
      .requiredOption('--from <dirs...>', 'run directories holding the expert episodes (collect, import webshop-sessions)')
      .requiredOption('--k <k>', 'alternatives per state, distinct from the expert action and from each other', intOption(1, 100))
      .option('--policy <policy>', "who proposes alternatives: random (over the site's available actions), the site's own (WebShop heuristic), openai:NAME", 'random')
      .option('--policy-base-url <url>', 'OpenAI-compatible endpoint of an openai:NAME policy (default OPENAI_BASE_URL)')
      .addOption(new Option('--states <which>', 'all: every state the expert acted in; non-terminal: not the state of its final action').choices(['all', 'non-terminal']).default('all'))
      .option('--max-steps-expert <n>', 'expert episodes longer than this are skipped (Early Experience drops them)', intOption(1, 1000), 15)
      .option('--real-cap <n>', 'real-interaction cap (replays and branches count)', intOption(0))
      .option('--ledger <file>', 'persistent budget ledger shared by processes (created with --real-cap)')
      .option('--concurrency <c>', 'states branched at once, each in its own browser contexts', intOption(1, 64), 1)
      .requiredOption('--out <dir>', 'run directory (a non-empty one is refused unless --resume)')
      .option('--resume', 'continue in a non-empty run directory: finished states and alternatives already taken are skipped')
      .option('--fsync', 'fsync every line (durable against power loss; slower)'),
    'branch',
  ).action(runBranchCommand);
