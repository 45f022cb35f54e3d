import type { Logger } from 'pino';
import { withRealBudget } from '../../src/budget/budgeted-env.js';
import type { LedgerSnapshot, RealBudget } from '../../src/budget/real-budget.js';
import { createDreamSetup } from '../../src/dream/dream-setup.js';
import type { EnvFactory } from '../../src/env/env.js';
import { ConfigInvalidError } from '../../src/env/errors.js';
import type { Task } from '../../src/protocol/index.js';
import { createRunId, openRunDirectory } from '../../src/store/index.js';
import { computeTaskVariances, type TaskVariance } from '../curriculum/task-variance.js';
import { writeFidelityOutputs } from '../report/index.js';
import { runEpisodes, type RealStepNotice, type RunResult } from '../runner.js';
import { needsSite, parseSchedule, plannedSource, type Schedule } from '../schedule.js';
import { addShadowCounts, createShadower, shadowCounts, shadowCountsSchema, type ShadowCounts } from '../shadow/index.js';
import { openBudget } from './open-budget.js';
import { policyFromFlag } from './policy-from-flag.js';
import { createProgress } from './progress.js';
import { resolveTasks } from './resolve-tasks.js';
import { Resources } from './resources.js';
import type { RunPlanOptions } from './run-plan-options.js';
import { manifestBase } from './run-manifest.js';
import { prepareResume } from './run-resume.js';
import { planSlots } from './run-tasks.js';
import { openPreparedSite, prepareSite } from './site-resources.js';

export type { RunPlanOptions } from './run-plan-options.js';

export interface RunOutcome {
  result: RunResult;
  dir: string;
  schedule: Schedule;
  budget?: LedgerSnapshot;
  groups: TaskVariance[];
  fidelity?: { eps_R: { mean: number; ci_low: number; ci_high: number; n: number }; eps_P: { mean: number; ci_low: number; ci_high: number; n: number }; htmlPath: string };
  resumed?: { finished: number; orphans: number };
  interrupted: boolean;
}

const needsDream = (schedule: Schedule, options: RunPlanOptions): boolean =>
  schedule.kind === 'dream' || schedule.kind === 's2r' || (schedule.kind === 'mix' && schedule.p < 1) || options.onBudgetExhausted === 'dream' || (options.shadow ?? 0) > 0;

/** The slots of the run: `collect` runs each selected task once; `run` cycles tasks in groups. */
const planOf = (options: RunPlanOptions, tasks: Task[]): Task[] => {
  if (options.command === 'collect') {
    const fallback = options.site.defaults.collectEpisodes;
    const episodes = options.taskIds ? tasks.length : options.episodes ?? (fallback === 'all' ? tasks.length : fallback);
    return tasks.slice(0, episodes);
  }
  return planSlots(tasks, options.episodes ?? 20, options.group);
};

/**
 * One run plan for `collect`, `run` and `fidelity`: episodes on the real site, in dream, or switched
 * between them by a schedule, under an exact real-interaction cap, with optional fidelity shadowing.
 * It builds the run's resources once (site, browser, budget, buffer, models), resolves the tasks,
 * resumes, writes the manifest, shows progress and closes everything it opened whatever happens.
 */
export const executeRunPlan = async (options: RunPlanOptions, logger: Logger, signal: AbortSignal): Promise<RunOutcome> => {
  const { site } = options;
  const schedule = parseSchedule(options.schedule, { ...(options.dreamEpisodes === undefined ? {} : { dreamEpisodes: options.dreamEpisodes }), seed: String(options.seed) });
  const real = needsSite(schedule);
  if ((options.shadow ?? 0) > 0 && !real) throw new ConfigInvalidError('--shadow K shadows real steps: it needs a schedule with real episodes');
  const resources = new Resources(logger);
  try {
    const prepared = await prepareSite({ site, local: options.local, siteFlags: options.siteFlags, seed: options.seed, maxSteps: options.maxSteps, real });
    const { profile } = prepared;
    // Policies first: a wrong --policy is refused before a browser, a fixture or a buffer starts.
    const policyContext = {
      site,
      profile,
      seed: options.seed,
      ...(options.actions ? { actions: options.actions } : {}),
      ...(options.policyBaseUrl ? { baseUrl: options.policyBaseUrl } : {}),
      ...(prepared.facts.tasks.referenceActions ? { referenceActions: prepared.facts.tasks.referenceActions.bind(prepared.facts.tasks) } : {}),
    };
    const policy = await policyFromFlag(options.policy ?? site.defaults.policy(), policyContext);
    const realPolicy = options.realPolicy ? await policyFromFlag(options.realPolicy, policyContext) : policy;
    const opened = real
      ? await openPreparedSite(
          prepared,
          {
            browser: options.browser,
            // Real rollouts go through the worker cluster: contexts in use capped, browsers restarted.
            contexts: { kind: 'cluster', concurrency: options.realConcurrency ?? options.concurrency, restartAfter: options.restartBrowserAfter },
            stepTimeoutMs: options.stepTimeout,
            logger,
          },
          resources,
        )
      : undefined;
    const dream = needsDream(schedule, options)
      ? await createDreamSetup({
          env: site.name,
          profile,
          buffers: options.buffer,
          ...(options.bufferMax === undefined ? {} : { bufferMax: options.bufferMax }),
          model: options.model,
          embed: options.embed,
          onProgress: (message) => logger.info(message),
          ...(options.modelBaseUrl === undefined ? {} : { modelBaseUrl: options.modelBaseUrl }),
          ...(options.embedBaseUrl === undefined ? {} : { embedBaseUrl: options.embedBaseUrl }),
          ...(options.promptDir === undefined ? {} : { promptDir: options.promptDir }),
        })
      : undefined;
    if (dream) resources.add('the dream setup', () => dream.close());
    const siteNamed = options.siteFlags['fixture'] === true || site.hasRemote(options.siteFlags);
    const tasks = await resolveTasks({ env: site.name, facts: prepared.facts, taskFile: options.taskFile, taskIds: options.taskIds, split: options.split, siteNamed, recorded: () => dream?.tasks() ?? [] });
    const plan = planOf(options, tasks);
    const missing = plan.find((t, slot) => t.instruction === undefined && plannedSource(schedule, slot) === 'dream');
    if (missing) throw new ConfigInvalidError(`task ${missing.task_id} has no instruction for a dream episode: give --fixture, --task-file, or a --buffer that recorded it`);

    const runDir = await openRunDirectory(options.out, { resume: options.resume ?? false, fsync: options.fsync ?? false });
    resources.add('the run directory', () => runDir.close());
    const previous = options.resume ? await runDir.readManifest() : undefined;
    const resumed = options.resume ? await prepareResume(runDir) : undefined;
    const slots = plan.map((_, slot) => slot).filter((slot) => !resumed?.finished.has(slot));
    const runId = createRunId();

    let budget: RealBudget | undefined;
    if (real || options.ledger || options.realCap !== undefined) {
      budget = await openBudget(options, logger);
      if (budget) {
        const opened = budget;
        resources.add('the budget ledger', () => opened.close());
      }
    }
    let realFactory: EnvFactory | undefined;
    if (opened) {
      const inner = opened.factory;
      const gate = budget;
      realFactory = gate
        ? { source: 'real', create: async (o) => withRealBudget(await inner.create(o), gate, { countResets: options.countResets ?? false }), close: () => inner.close() }
        : inner;
    }

    const shadower =
      (options.shadow ?? 0) > 0 && dream
        ? createShadower({ model: dream.model, profile, k: options.shadow as number, write: (line) => runDir.appendShadow(line), timeoutMs: options.stepTimeout, logger })
        : undefined;

    await runDir.writeManifest({
      ...manifestBase({
        runId,
        previous,
        command: options.commandLine,
        seed: options.seed,
        browser: opened?.browserVersion,
        site: { profile_version: profile.version, ...(opened?.manifest ?? prepared.facts.manifest), env: site.name },
        models: dream?.manifest ?? {},
      }),
      kind: options.command,
      schedule: { text: options.schedule, ...schedule, on_budget_exhausted: options.onBudgetExhausted },
      policy: policy.manifest,
      real_policy: realPolicy.manifest,
      budget: budget ? { ledger: options.ledger ?? null, cap: (await budget.snapshot()).cap, count_resets: options.countResets ?? false } : null,
      options: {
        split: options.split, episodes: plan.length, group: options.group, concurrency: options.concurrency, real_concurrency: options.realConcurrency ?? options.concurrency,
        max_steps: profile.maxSteps, step_timeout_ms: options.stepTimeout, episode_timeout_ms: options.episodeTimeout ?? null, shadow: options.shadow ?? 0,
      },
      plan: plan.map((t) => t.task_id),
    });

    const progress = createProgress(slots.length);
    const result = await runEpisodes({
      factories: { ...(realFactory ? { real: realFactory } : {}), ...(dream ? { dream: dream.factory } : {}) },
      sourceFor: (slot) => plannedSource(schedule, slot),
      policy: (task, source) => (source === 'real' ? realPolicy : policy).make(task),
      tasks: slots.map((slot) => plan[slot] as Task),
      slots,
      concurrency: options.concurrency,
      ...(options.realConcurrency === undefined ? {} : { realConcurrency: options.realConcurrency }),
      runDir,
      runId,
      envName: site.name,
      stepTimeoutMs: options.stepTimeout,
      ...(options.episodeTimeout === undefined ? {} : { episodeTimeoutMs: options.episodeTimeout }),
      onBudgetExhausted: options.onBudgetExhausted,
      ...(budget ? { budgetRemaining: async () => (await (budget as RealBudget).snapshot()).remaining } : {}),
      signal,
      onEvent: (event) => progress.onEvent(event),
      ...(shadower ? { onRealStep: (n: RealStepNotice) => shadower.shadow({ runId: n.runId, episodeId: n.episodeId, taskId: n.task.task_id, step: n.step, request: { task: n.task, instruction: n.state.instruction, history: n.history, state: n.state, action: n.action }, real: n.real }) } : {}),
      ...(dream ? { onTransition: (t) => dream.record(t) } : {}),
    });
    progress.stop();
    await shadower?.flush();
    // A resumed run's counts add to those its earlier invocations recorded (shadow.jsonl holds all of their lines).
    const earlier = shadowCountsSchema.safeParse(previous?.['shadow']);
    const own = shadower ? shadowCounts(shadower.stats, options.shadow as number) : undefined;
    const shadow: ShadowCounts | undefined = own && earlier.success ? addShadowCounts(earlier.data, own) : own;
    if (shadow && shadow.failed + shadow.dropped > 0) logger.warn({ shadow }, `shadow: ${shadow.failed} predictions failed, ${shadow.dropped} lines dropped (counted in manifest.json and fidelity.json)`);
    const episodes = await runDir.readEpisodes();
    const groups = computeTaskVariances(episodes.filter((e) => e.termination !== 'interrupted' && e.termination !== 'error'));
    const budgetSnapshot = budget ? await budget.snapshot() : undefined;
    let fidelity: RunOutcome['fidelity'];
    if (shadower) {
      const written = await writeFidelityOutputs(runDir.dir, { horizon: profile.maxSteps, ...(shadow ? { shadow } : {}), ...(options.gamma === undefined ? {} : { gamma: options.gamma }), ...(options.rMax === undefined ? {} : { rMax: options.rMax }) });
      fidelity = { eps_R: written.report.eps_R, eps_P: written.report.eps_P, htmlPath: written.htmlPath };
    }
    const manifest = await runDir.readManifest();
    if (manifest) {
      await runDir.writeManifest({
        ...manifest,
        ...(shadow ? { shadow } : {}),
        result: {
          episodes: result.episodes, mean_reward: result.meanReward, success_rate: result.successRate, steps: result.steps,
          real_interactions: result.realInteractions, terminations: result.terminations, budget_exhausted: result.budgetExhausted,
          ...(budgetSnapshot ? { budget: budgetSnapshot } : {}),
          ...(dream && 'usage' in dream.model ? { model_usage: (dream.model as { usage: () => unknown }).usage() } : {}),
          groups,
        },
      });
    }
    return {
      result: shadow ? { ...result, shadow } : result,
      dir: runDir.dir,
      schedule,
      groups,
      interrupted: signal.aborted,
      ...(budgetSnapshot ? { budget: budgetSnapshot } : {}),
      ...(fidelity ? { fidelity } : {}),
      ...(resumed ? { resumed: { finished: resumed.finished.size, orphans: resumed.orphans } } : {}),
    };
  } finally {
    await resources.close();
  }
};
