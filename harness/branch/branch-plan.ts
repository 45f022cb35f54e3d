import { join } from 'node:path';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import { withRealBudget } from '../../src/budget/budgeted-env.js';
import type { LedgerSnapshot, RealBudget } from '../../src/budget/real-budget.js';
import { codeOf } from '../../src/env/code-of.js';
import type { EnvFactory } from '../../src/env/env.js';
import { ConfigInvalidError } from '../../src/env/errors.js';
import type { BrowserChoice, LocalSite, SiteDefinition, SiteFlagValues } from '../../src/env/site-definition.js';
import type { Task } from '../../src/protocol/index.js';
import { createRunId, JsonlAppender, openRunDirectory, readJsonl, repairJsonlTail, writeFileAtomic } from '../../src/store/index.js';
import { createRandomPolicy } from '../policies/random-policy.js';
import { openBudget } from '../run-plan/open-budget.js';
import { policyFromFlag } from '../run-plan/policy-from-flag.js';
import { Resources } from '../run-plan/resources.js';
import { manifestBase } from '../run-plan/run-manifest.js';
import { openPreparedSite, prepareSite } from '../run-plan/site-resources.js';
import { createBranchProgress } from './branch-progress.js';
import { branchReport, type BranchReport } from './branch-report.js';
import { branchState, BranchStopped } from './branch-state.js';
import { BRANCH_STATES_FILE, branchStateLineSchema, type BranchStateLine } from './branch-state-line.js';
import { readExpertEpisodes, type ExpertEpisode } from './expert-episodes.js';

/** Everything `dreambridge branch` is built from (defaults in the command's --help and the README). */
export interface BranchPlanOptions {
  site: SiteDefinition;
  local?: ((seed: number) => Promise<LocalSite>) | undefined;
  siteFlags: SiteFlagValues;
  browser: BrowserChoice;
  seed: number;
  /** Run directories holding the expert episodes. */
  from: readonly string[];
  /** Alternatives per state (≥ 1). */
  k: number;
  /** Who proposes alternatives. Default `random`. */
  policy: string;
  policyBaseUrl?: string | undefined;
  /** `all` (every state the expert acted in) or `non-terminal` (not the state of its final action). */
  states: 'all' | 'non-terminal';
  /** Longer expert episodes are skipped. Default 15 (Early Experience's). */
  maxStepsExpert: number;
  realCap?: number | undefined;
  ledger?: string | undefined;
  /** States branched at once, each in its own contexts. */
  concurrency: number;
  stepTimeout: number;
  out: string;
  resume?: boolean | undefined;
  fsync?: boolean | undefined;
  commandLine?: readonly string[] | undefined;
}

export interface BranchOutcome {
  dir: string;
  report: BranchReport;
  budget?: LedgerSnapshot;
  /** Why the run stopped before every state was done (budget, interrupt). */
  stopped?: string;
}

interface Unit {
  expert: ExpertEpisode;
  step: number;
  task: Task;
}

const unitKey = (episodeId: string, step: number): string => `${episodeId}#${step}`;

/** The states to branch: each expert state (bar the final one with `non-terminal`) the site branches. */
const planUnits = (experts: readonly ExpertEpisode[], options: BranchPlanOptions): Unit[] =>
  experts.flatMap((expert) => {
    const first = expert.steps[0];
    if (!first) return [];
    const recorded: Task = { task_id: expert.episode.task_id, env: expert.episode.env, instruction: first.state.instruction };
    const task = options.site.branching?.restoreTask?.(recorded, first.state) ?? recorded;
    return expert.steps
      .filter((t) => !(options.states === 'non-terminal' && t.done))
      .filter((t) => !options.site.branching?.alternativeKinds || options.site.branching.alternativeKinds(t.state) !== undefined)
      .map((t) => ({ expert, step: t.step, task }));
  });

/**
 * Early Experience on a real site: for every state of every expert episode, restore it in a fresh
 * context (reset, replay the prefix, verify the keys), take K alternatives proposed by the policy,
 * and record each as an ordinary transition line with `info.branch`. The expert steps are copied
 * beside them; `branch-states.jsonl` records each state's restores and `branch-report.json` the
 * determinism report. Every replayed and branched step is a real interaction under the budget.
 */
export const executeBranchPlan = async (options: BranchPlanOptions, logger: Logger, signal: AbortSignal): Promise<BranchOutcome> => {
  if (!Number.isSafeInteger(options.k) || options.k < 1) throw new ConfigInvalidError(`--k ${options.k}: alternatives per state must be an integer ≥ 1`);
  const { site } = options;
  const resources = new Resources(logger);
  try {
    const prepared = await prepareSite({ site, local: options.local, siteFlags: options.siteFlags, seed: options.seed, real: true });
    const { profile } = prepared;
    const policy = await policyFromFlag(options.policy, { site, profile, seed: options.seed, ...(options.policyBaseUrl ? { baseUrl: options.policyBaseUrl } : {}) });
    const selection = await readExpertEpisodes(options.from, site.name, options.maxStepsExpert);
    const units = planUnits(selection.episodes, options);

    const runDir = await openRunDirectory(options.out, { resume: options.resume ?? false, fsync: options.fsync ?? false });
    resources.add('the run directory', () => runDir.close());
    const statesPath = join(runDir.dir, BRANCH_STATES_FILE);
    if (options.resume) await repairJsonlTail(statesPath, branchStateLineSchema);
    const earlierStates = await readJsonl(statesPath, branchStateLineSchema);
    const finished = new Set(earlierStates.map((l) => unitKey(l.of_episode, l.of_step)));
    const earlierTransitions = options.resume ? await runDir.readTransitions() : [];
    const taken = new Map<string, string[]>();
    for (const t of earlierTransitions) {
      const branch = t.info['branch'] as { of_episode: string; of_step: number } | undefined;
      if (branch) taken.set(unitKey(branch.of_episode, branch.of_step), [...(taken.get(unitKey(branch.of_episode, branch.of_step)) ?? []), t.action]);
    }
    const states = await JsonlAppender.open(statesPath, { fsync: options.fsync ?? false });
    resources.add('branch-states.jsonl', () => states.close());

    // The expert steps go beside the branches, once (a resumed run finds them there).
    const copied = new Set((await runDir.readEpisodes()).map((e) => e.episode_id));
    for (const expert of selection.episodes) {
      if (copied.has(expert.episode.episode_id)) continue;
      for (const t of expert.steps) await runDir.appendTransition(t);
      await runDir.appendEpisode(expert.episode);
    }

    const opened = await openPreparedSite(prepared, { browser: options.browser, contexts: { kind: 'cluster', concurrency: options.concurrency }, stepTimeoutMs: options.stepTimeout, logger }, resources);
    const budget: RealBudget | undefined = await openBudget(options, logger);
    if (budget) resources.add('the budget ledger', () => budget.close());
    const factory: EnvFactory = budget
      ? { source: 'real', create: async (o) => withRealBudget(await opened.factory.create(o), budget), close: () => opened.factory.close() }
      : opened.factory;

    const runId = createRunId();
    const previous = options.resume ? await runDir.readManifest() : undefined;
    const manifest = {
      ...manifestBase({ runId, previous, command: options.commandLine, seed: options.seed, browser: opened.browserVersion, site: { profile_version: profile.version, ...opened.manifest, env: site.name }, models: {} }),
      kind: 'branch',
      policy: policy.manifest,
      budget: budget ? { ledger: options.ledger ?? null, cap: (await budget.snapshot()).cap, count_resets: false } : null,
      options: { from: options.from, k: options.k, states: options.states, max_steps_expert: options.maxStepsExpert, concurrency: options.concurrency, step_timeout_ms: options.stepTimeout },
    };
    await runDir.writeManifest(manifest);

    const todo = units.filter((u) => !finished.has(unitKey(u.expert.episode.episode_id, u.step)));
    const progress = createBranchProgress(todo.length);
    const limit = pLimit(options.concurrency);
    let stopped: string | undefined;
    const lines: BranchStateLine[] = [...earlierStates];
    await Promise.all(
      todo.map((unit) =>
        limit(async () => {
          if (stopped !== undefined || signal.aborted) return;
          const started = performance.now();
          try {
            const outcome = await branchState(unit.expert, unit.step, {
              factory, profile, policy: policy.make(unit.task), fallback: createRandomPolicy({ seed: `${options.seed}:fallback:${unit.expert.episode.episode_id}:${unit.step}`, profile }),
              task: unit.task, kinds: site.branching?.alternativeKinds?.(unit.expert.steps[unit.step]?.state ?? unit.expert.steps[0]!.state), k: options.k, runId,
              stepTimeoutMs: options.stepTimeout, signal, taken: taken.get(unitKey(unit.expert.episode.episode_id, unit.step)) ?? [], write: (t) => runDir.appendTransition(t),
            });
            const line = branchStateLineSchema.parse({ ...outcome, wall_ms: performance.now() - started });
            await states.append(line);
            lines.push(line);
            if (line.replay !== 'verified') logger.warn({ state: unitKey(line.of_episode, line.of_step), replay: line.replay, expected: line.expected_key, actual: line.actual_key, error: line.error }, `state not branched: ${line.replay}`);
            progress.update(line);
          } catch (error) {
            if (!(error instanceof BranchStopped)) throw error;
            stopped ??= signal.aborted ? 'interrupted' : `${codeOf(error.reason) ?? 'stopped'}: ${(error.reason as Error).message}`;
          }
        }),
      ),
    );
    progress.stop();
    const report = branchReport(lines, units.length, selection.episodes.length, selection.skipped.length);
    await writeFileAtomic(join(runDir.dir, 'branch-report.json'), `${JSON.stringify(report, null, 2)}\n`);
    const snapshot = budget ? await budget.snapshot() : undefined;
    await runDir.writeManifest({ ...manifest, result: { report, ...(snapshot ? { budget: snapshot } : {}), ...(stopped ? { stopped } : {}) } });
    return { dir: runDir.dir, report, ...(snapshot ? { budget: snapshot } : {}), ...(stopped ? { stopped } : {}) };
  } finally {
    await resources.close();
  }
};
