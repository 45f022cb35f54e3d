import type { Logger } from 'pino';
import { withRealBudgetFactory } from '../../src/budget/budgeted-env.js';
import { ConfigInvalidError } from '../../src/env/errors.js';
import type { Task } from '../../src/protocol/index.js';
import { createRunId, openRunDirectory } from '../../src/store/index.js';
import { runEpisodes } from '../runner.js';
import { needsSite, parseSchedule, plannedSource, type Schedule } from '../schedule.js';
import { createShadower, shadowRealStep } from '../shadow/index.js';
import { parseRedisLocation } from '../../src/budget/redis-location.js';
import { finishRun, type RunFinish } from './finish-run.js';
import { joinBufferStream, recordAndPublish } from './join-buffer-stream.js';
import { openBudget } from './open-budget.js';
import { policyFromFlag } from './policy-from-flag.js';
import { createProgress } from './progress.js';
import { resolveTasks } from './resolve-tasks.js';
import { Resources } from './resources.js';
import type { RunPlanOptions } from './run-plan-options.js';
import { runPlanManifest } from './run-plan-manifest.js';
import { dreamSetupFor } from './run-dream-setup.js';
import { prepareResume } from './run-resume.js';
import { planSlots } from './run-tasks.js';
import { openPreparedSite, prepareSite } from './site-resources.js';

export type { RunPlanOptions } from './run-plan-options.js';

/** A run plan's outcome: the runner's result with shadow counts, groups, budget and fidelity, where the files are. */
export interface RunOutcome extends RunFinish {
  dir: string;
  schedule: Schedule;
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
  // A bad --buffer-stream is refused before a browser, a fixture or a buffer starts.
  if (options.bufferStream !== undefined) parseRedisLocation(options.bufferStream, '--buffer-stream');
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
    // Real rollouts go through the worker cluster: contexts in use capped, browsers restarted.
    const contexts = { kind: 'cluster' as const, concurrency: options.realConcurrency ?? options.concurrency, restartAfter: options.restartBrowserAfter };
    const opened = real ? await openPreparedSite(prepared, { browser: options.browser, contexts, stepTimeoutMs: options.stepTimeout, logger }, resources) : undefined;
    const dream = needsDream(schedule, options) ? await dreamSetupFor(options, profile, logger) : undefined;
    if (dream) resources.add('the dream setup', () => dream.close());
    // Joined before the tasks are resolved: a late starter plans over what the fleet has recorded too.
    const stream = options.bufferStream === undefined ? undefined : await joinBufferStream({ location: options.bufferStream, record: dream ? (t) => dream.record(t) : undefined, bufferMax: options.bufferMax, logger });
    if (stream) resources.add('the buffer stream', () => stream.close());

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

    const budget = real || options.ledger || options.realCap !== undefined ? await openBudget(options, logger) : undefined;
    if (budget) resources.add('the budget ledger', () => budget.close());
    const realFactory = opened && budget ? withRealBudgetFactory(opened.factory, budget, { countResets: options.countResets ?? false }) : opened?.factory;
    const k = options.shadow ?? 0;
    const shadower = k > 0 && dream ? createShadower({ model: dream.model, profile, k, write: (line) => runDir.appendShadow(line), timeoutMs: options.stepTimeout, logger }) : undefined;

    await runDir.writeManifest({
      ...(await runPlanManifest({ options, runId, previous, schedule, profile, opened, facts: prepared.facts, dream, policy: policy.manifest, realPolicy: realPolicy.manifest, budget, plan })),
      ...(stream ? { buffer_stream: { location: stream.display, caught_up: stream.received } } : {}),
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
      ...(budget ? { budgetRemaining: async () => (await budget.snapshot()).remaining } : {}),
      signal,
      onEvent: (event) => progress.onEvent(event),
      ...(shadower ? { onRealStep: shadowRealStep(shadower) } : {}),
      ...(dream || stream ? { onTransition: recordAndPublish(dream ? (t) => dream.record(t) : undefined, stream) } : {}),
    });
    progress.stop();
    const finish = await finishRun({
      runDir,
      result,
      previous,
      shadower: shadower ? { shadower, k } : undefined,
      budget,
      modelUsage: dream && 'usage' in dream.model ? (dream.model as { usage: () => unknown }).usage() : undefined,
      fidelity: { horizon: profile.maxSteps, gamma: options.gamma, rMax: options.rMax },
      logger,
    });
    return {
      ...finish,
      dir: runDir.dir,
      schedule,
      interrupted: signal.aborted,
      ...(resumed ? { resumed: { finished: resumed.finished.size, orphans: resumed.orphans } } : {}),
    };
  } finally {
    await resources.close();
  }
};
