import { createWebArenaProfile } from '../adapters/webarena/webarena-profile.js';
import { createWebShopProfile } from '../adapters/webshop/webshop-profile.js';
import { buildWebShopSite, type WebShopSite } from '../fixtures/webshop/webshop-site.js';
import { runEpisodes, type RealStepNotice, type RunResult } from '../harness/runner.js';
import { formatSchedule, needsSite, parseSchedule, plannedSource, type Schedule } from '../harness/schedule.js';
import { computeTaskVariances, type TaskVariance } from '../harness/curriculum/task-variance.js';
import { addShadowCounts, createShadower, shadowCounts, shadowCountsSchema, type ShadowCounts } from '../harness/shadow/index.js';
import { writeFidelityOutputs } from '../harness/report/index.js';
import { withRealBudget } from '../src/budget/budgeted-env.js';
import type { LedgerSnapshot, RealBudget } from '../src/budget/real-budget.js';
import type { EnvFactory } from '../src/env/env.js';
import { ConfigInvalidError } from '../src/env/errors.js';
import type { EnvName, Task } from '../src/protocol/index.js';
import { createRunId, openRunDirectory } from '../src/store/index.js';
import { createDreamSetup, type DreamSetup } from '../src/dream/dream-setup.js';
import type { Logger } from 'pino';
import { packageVersion } from './package-version.js';
import { createProgress } from './progress.js';
import { openBudget } from './open-budget.js';
import { policyFromFlag } from './run-policies.js';
import type { RunFlags } from './run-flags.js';
import { openRealSite } from './run-real-site.js';
import { prepareResume } from './run-resume.js';
import { planSlots, readTaskFile } from './run-tasks.js';
import { cleanUp } from '../src/env/clean-up.js';

export type { RunFlags } from './run-flags.js';

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

/** Everything started for a run, closed in reverse order whatever happens. */
class Resources {
  private readonly closers: Array<{ name: string; close: () => Promise<unknown> }> = [];
  constructor(private readonly logger: Logger) {}
  add(close: () => Promise<unknown>, name = 'run resource'): void {
    this.closers.push({ name, close });
  }
  /** A failing close is logged and the rest still close (the run's own error, if any, stays the one thrown). */
  async close(): Promise<void> {
    for (const { name, close } of this.closers.reverse()) await cleanUp(name, close, this.logger);
  }
}

const needsDream = (schedule: Schedule, flags: RunFlags): boolean =>
  schedule.kind === 'dream' || schedule.kind === 's2r' || (schedule.kind === 'mix' && schedule.p < 1) || flags.onBudgetExhausted === 'dream' || (flags.shadow ?? 0) > 0;

/** The run's tasks: a task file, the site's split, or the tasks recorded in the buffer. */
const resolveTasks = async (flags: RunFlags, site: WebShopSite | undefined, goalCount: number, dream: DreamSetup | undefined, siteTasks: Task[] | undefined): Promise<Task[]> => {
  if (flags.taskFile) return readTaskFile(flags.taskFile, flags.env === 'webarena' ? 'webarena' : 'webshop');
  if (siteTasks) return siteTasks;
  if (flags.env === 'webshop' && (flags.fixture || flags.url)) {
    const tasks = createWebShopProfile({ goalCount }).tasks(flags.split);
    if (tasks.length === 0) throw new ConfigInvalidError(`the ${flags.split} split of a site with ${goalCount} goals is empty`);
    const recorded = new Map((dream?.tasks() ?? []).map((t) => [t.task_id, t.instruction]));
    return tasks.map((t) => {
      const instruction = site?.goals[Number(t.task_id)]?.instruction_text ?? recorded.get(t.task_id);
      return instruction === undefined ? t : { ...t, instruction };
    });
  }
  const tasks = dream?.tasks() ?? [];
  if (tasks.length === 0) throw new ConfigInvalidError('no tasks: give --fixture (the site\'s goals), --task-file FILE, or a --buffer with recorded episodes');
  return tasks;
};

/**
 * `dreambridge run`: episodes on the real site, in dream, or switched between them by a
 * schedule, under an exact real-interaction cap, with optional fidelity shadowing.
 */
export const runRun = async (flags: RunFlags, logger: Logger, signal: AbortSignal): Promise<RunOutcome> => {
  if (flags.env !== 'webshop' && flags.env !== 'webarena') throw new ConfigInvalidError(`--env ${flags.env}: expected webshop or webarena`);
  const env: EnvName = flags.env;
  const schedule = parseSchedule(flags.schedule, { ...(flags.dreamEpisodes === undefined ? {} : { dreamEpisodes: flags.dreamEpisodes }), seed: String(flags.seed) });
  const siteGiven = env === 'webshop' ? [flags.fixture, flags.url].filter(Boolean).length : [flags.fixture, flags.configs].filter(Boolean).length;
  if (siteGiven > 1) throw new ConfigInvalidError(env === 'webshop' ? 'give --fixture or --url URL, not both' : 'give --fixture or --configs FILE --sites …, not both');
  const real = needsSite(schedule);
  if (real && siteGiven === 0) {
    throw new ConfigInvalidError(`--schedule ${flags.schedule} runs real episodes: give a site, ${env === 'webshop' ? '--fixture (the local WebShop) or --url URL' : '--fixture (the local WebArena-style sites) or --configs FILE --sites …'}`);
  }
  if ((flags.shadow ?? 0) > 0 && !real) throw new ConfigInvalidError('--shadow K shadows real steps: it needs a schedule with real episodes');
  const resources = new Resources(logger);
  try {
    const site = env === 'webshop' && flags.fixture ? await buildWebShopSite({ seed: flags.seed }) : undefined;
    const goalCount = site?.goals.length ?? flags.goalCount ?? 6910;
    // A real run needs its site up first: for WebArena the tasks and profile come from it.
    const realSite = real ? await openRealSite(flags, site, logger) : undefined;
    if (realSite) resources.add(() => realSite.close(), 'the real site (browser, fixture)');
    const profile = realSite?.profile ?? (env === 'webshop' ? createWebShopProfile({ goalCount }) : createWebArenaProfile());
    const dream = needsDream(schedule, flags)
      ? await createDreamSetup({
          env,
          profile,
          buffers: flags.buffer,
          ...(flags.bufferMax === undefined ? {} : { bufferMax: flags.bufferMax }),
          model: flags.model,
          embed: flags.embed,
          maxSteps: flags.maxSteps,
          onProgress: (message) => logger.info(message),
          ...(flags.modelBaseUrl === undefined ? {} : { modelBaseUrl: flags.modelBaseUrl }),
          ...(flags.embedBaseUrl === undefined ? {} : { embedBaseUrl: flags.embedBaseUrl }),
          ...(flags.promptDir === undefined ? {} : { promptDir: flags.promptDir }),
        })
      : undefined;
    if (dream) resources.add(() => dream.close(), 'the dream setup');
    const tasks = await resolveTasks(flags, site, goalCount, dream, realSite?.tasks);
    const plan = planSlots(tasks, flags.episodes, flags.group);
    const missing = plan.find((t, slot) => t.instruction === undefined && plannedSource(schedule, slot) === 'dream');
    if (missing) throw new ConfigInvalidError(`task ${missing.task_id} has no instruction for a dream episode: give --fixture, --task-file, or a --buffer that recorded it`);

    const runDir = await openRunDirectory(flags.out, { resume: flags.resume ?? false, fsync: flags.fsync ?? false });
    resources.add(() => runDir.close(), 'the run directory');
    const previous = flags.resume ? await runDir.readManifest() : undefined;
    const resumed = flags.resume ? await prepareResume(runDir) : undefined;
    const slots = plan.map((_, slot) => slot).filter((slot) => !resumed?.finished.has(slot));
    const runId = createRunId();

    let budget: RealBudget | undefined;
    if (real || flags.ledger || flags.realCap !== undefined) {
      budget = await openBudget(flags, logger);
      if (budget) {
        const opened = budget;
        resources.add(() => opened.close(), 'the real-interaction ledger');
      }
    }
    let realFactory: EnvFactory | undefined;
    if (realSite) {
      const inner = realSite.factory;
      const gate = budget;
      realFactory = gate
        ? { source: 'real', create: async (o) => withRealBudget(await inner.create(o), gate, { countResets: flags.countResets ?? false }), close: () => inner.close() }
        : inner;
    }
    const policyContext = {
      env,
      seed: flags.seed,
      ...(flags.actions ? { actions: flags.actions } : {}),
      ...(flags.policyBaseUrl ? { baseUrl: flags.policyBaseUrl } : {}),
      ...(realSite?.oracle ? { oracle: realSite.oracle } : {}),
    };
    // WebShop: the heuristic; WebArena: the fixture's reference actions (real sites need --policy).
    const policy = await policyFromFlag(flags.policy ?? (env === 'webshop' ? 'heuristic' : 'oracle'), policyContext);
    const realPolicy = flags.realPolicy ? await policyFromFlag(flags.realPolicy, policyContext) : policy;

    const shadower =
      (flags.shadow ?? 0) > 0 && dream
        ? createShadower({ model: dream.model, profile, k: flags.shadow as number, write: (line) => runDir.appendShadow(line), timeoutMs: flags.stepTimeout, logger })
        : undefined;

    await runDir.writeManifest({
      run_id: runId,
      run_ids: [...(Array.isArray(previous?.run_ids) ? (previous.run_ids as unknown[]) : []), runId],
      command: ['dreambridge', ...process.argv.slice(2)],
      created_at: previous?.created_at ?? new Date().toISOString(),
      seeds: { seed: flags.seed },
      versions: { dreambridge: packageVersion(), node: process.version },
      site: realSite?.manifest ?? { env, profile_version: profile.version, ...(site ? { fixture: { seed: site.seed, goals: site.goals.length, catalog_hash: site.catalogHash() } } : {}) },
      schedule: { text: flags.schedule, ...schedule, on_budget_exhausted: flags.onBudgetExhausted },
      policy: policy.manifest,
      real_policy: realPolicy.manifest,
      models: dream?.manifest ?? {},
      budget: budget ? { ledger: flags.ledger ?? null, cap: (await budget.snapshot()).cap, count_resets: flags.countResets ?? false } : null,
      options: {
        split: flags.split, episodes: flags.episodes, group: flags.group, concurrency: flags.concurrency, real_concurrency: flags.realConcurrency ?? flags.concurrency,
        max_steps: flags.maxSteps, step_timeout_ms: flags.stepTimeout, episode_timeout_ms: flags.episodeTimeout ?? null, shadow: flags.shadow ?? 0,
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
      concurrency: flags.concurrency,
      ...(flags.realConcurrency === undefined ? {} : { realConcurrency: flags.realConcurrency }),
      runDir,
      runId,
      envName: env,
      stepTimeoutMs: flags.stepTimeout,
      ...(flags.episodeTimeout === undefined ? {} : { episodeTimeoutMs: flags.episodeTimeout }),
      onBudgetExhausted: flags.onBudgetExhausted,
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
    const own = shadower ? shadowCounts(shadower.stats, flags.shadow as number) : undefined;
    const shadow: ShadowCounts | undefined = own && earlier.success ? addShadowCounts(earlier.data, own) : own;
    if (shadow && shadow.failed + shadow.dropped > 0) logger.warn({ shadow }, `shadow: ${shadow.failed} predictions failed, ${shadow.dropped} lines dropped (counted in manifest.json and fidelity.json)`);
    const episodes = await runDir.readEpisodes();
    const groups = computeTaskVariances(episodes.filter((e) => e.termination !== 'interrupted' && e.termination !== 'error'));
    const budgetSnapshot = budget ? await budget.snapshot() : undefined;
    let fidelity: RunOutcome['fidelity'];
    if (shadower) {
      const written = await writeFidelityOutputs(runDir.dir, { horizon: flags.maxSteps, ...(shadow ? { shadow } : {}), ...(flags.gamma === undefined ? {} : { gamma: flags.gamma }), ...(flags.rMax === undefined ? {} : { rMax: flags.rMax }) });
      fidelity = { eps_R: written.report.eps_R, eps_P: written.report.eps_P, htmlPath: written.htmlPath };
    }
    const manifest = (await runDir.readManifest()) ?? {};
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

export { formatSchedule };
