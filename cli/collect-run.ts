import { readFileSync } from 'node:fs';
import type { BrowserSource } from '../adapters/browser/browser-provider.js';
import { createWebShopEnvFactory } from '../adapters/webshop/webshop-env-factory.js';
import { createWebShopProfile, WEBSHOP_KEY_VERSION, WEBSHOP_PROFILE_VERSION } from '../adapters/webshop/webshop-profile.js';
import { startWebShop, type RunningWebShop } from '../fixtures/webshop/server.js';
import { buildWebShopSite, type WebShopSite } from '../fixtures/webshop/webshop-site.js';
import { createHeuristicWebShopPolicy, createRandomPolicy, createReplayPolicy } from '../harness/policies/index.js';
import type { Policy } from '../harness/policy.js';
import { runEpisodes, type RunSummary } from '../harness/runner.js';
import { ConfigInvalidError } from '../src/env/errors.js';
import type { Split, Task } from '../src/protocol/index.js';
import { createRunId, openRunDirectory } from '../src/store/index.js';
import { createLogger } from './logger.js';
import { packageVersion } from './package-version.js';
import { withInterrupt } from './interrupt.js';
import { replayActions } from './replay-actions.js';
import { createProgress } from './progress.js';
import { runTimestamp } from './run-timestamp.js';

export interface CollectFlags {
  env: string;
  url?: string;
  fixture?: boolean;
  policy: 'heuristic' | 'random' | 'replay';
  actions?: string;
  episodes: number;
  split: Split;
  goals?: number[];
  goalCount?: number;
  concurrency: number;
  maxSteps: number;
  out?: string;
  resume?: boolean;
  fsync?: boolean;
  seed: number;
  stepTimeout: number;
  searchAnywhere?: boolean;
  observation: 'text' | 'text_rich';
  browserWs?: string;
  browserCdp?: string;
  executable?: string;
  /** Set by the demo: quieter output. */
  quiet?: boolean;
}

/** Default goal count of a real WebShop (its synthetic goals on the 1000-product split). */
const REAL_WEBSHOP_GOALS = 6910;

export const browserSource = (flags: Pick<CollectFlags, 'browserWs' | 'browserCdp' | 'executable'>): BrowserSource => {
  if (flags.browserWs && flags.browserCdp) throw new ConfigInvalidError('give --browser-ws or --browser-cdp, not both');
  if (flags.browserWs) return { kind: 'ws', wsEndpoint: flags.browserWs };
  if (flags.browserCdp) return { kind: 'cdp', cdpEndpoint: flags.browserCdp };
  return { kind: 'launch', ...(flags.executable ? { executablePath: flags.executable } : {}) };
};

const policyFactory = (flags: CollectFlags): ((task: Task) => Policy) => {
  if (flags.policy === 'heuristic') return () => createHeuristicWebShopPolicy();
  if (flags.policy === 'random') return (task) => createRandomPolicy({ seed: `${flags.seed}:${task.task_id}` });
  if (!flags.actions) throw new ConfigInvalidError('--policy replay needs --actions FILE');
  const actionsFor = replayActions(flags.actions);
  return (task) => createReplayPolicy({ actions: actionsFor(task) });
};

/** Goals in order from the split (or `--goals`), as tasks. */
export const selectTasks = (flags: Pick<CollectFlags, 'goals' | 'split' | 'episodes'>, goalCount: number): Task[] => {
  const profile = createWebShopProfile({ goalCount });
  if (flags.goals) {
    const outside = flags.goals.find((g) => g >= goalCount);
    if (outside !== undefined) throw new ConfigInvalidError(`--goals: goal ${outside} is out of range: the site has goals 0 to ${goalCount - 1}`);
    return flags.goals.map((g) => ({ task_id: String(g), env: 'webshop' }));
  }
  const tasks = profile.tasks(flags.split).slice(0, flags.episodes);
  if (tasks.length === 0) throw new ConfigInvalidError(`the ${flags.split} split of a site with ${goalCount} goals is empty`);
  return tasks;
};


export interface CollectResult {
  summary: RunSummary;
  dir: string;
  interrupted: boolean;
}

/**
 * Collects episodes from a WebShop (a user's deployment or the local fixture) into a run
 * directory; SIGINT/SIGTERM end it early with the in-flight episodes recorded as interrupted.
 */
export const runCollect = async (flags: CollectFlags): Promise<CollectResult> => {
  if (flags.env !== 'webshop') throw new ConfigInvalidError(`--env ${flags.env}: expected webshop or webarena`);
  if (Boolean(flags.url) === Boolean(flags.fixture)) throw new ConfigInvalidError('give exactly one of --url URL (your WebShop) or --fixture (the local one)');
  const logger = createLogger('collect');
  const makePolicy = policyFactory(flags);
  let site: WebShopSite | undefined;
  let fixture: RunningWebShop | undefined;
  if (flags.fixture) {
    site = await buildWebShopSite({ seed: flags.seed });
    fixture = await startWebShop(site, { port: 0, logger });
  }
  const baseUrl = fixture?.url ?? flags.url!;
  const goalCount = site?.goals.length ?? flags.goalCount ?? REAL_WEBSHOP_GOALS;
  return withInterrupt(logger, (signal) => collectWebShop(flags, { baseUrl, goalCount, makePolicy, site, fixture, signal }));
};

interface WebShopCollectSetup {
  baseUrl: string;
  goalCount: number;
  makePolicy: (task: Task) => Policy;
  site: WebShopSite | undefined;
  fixture: RunningWebShop | undefined;
  signal: AbortSignal;
}

const collectWebShop = async (flags: CollectFlags, setup: WebShopCollectSetup): Promise<CollectResult> => {
  const { baseUrl, goalCount, makePolicy, site, fixture, signal } = setup;
  let factory: Awaited<ReturnType<typeof createWebShopEnvFactory>> | undefined;
  try {
    let tasks = selectTasks(flags, goalCount);
    const dir = flags.out ?? `runs/collect-${runTimestamp()}`;
    const runDir = await openRunDirectory(dir, { resume: flags.resume ?? false, fsync: flags.fsync ?? false });
    const previous = flags.resume ? await runDir.readManifest() : undefined;
    // A resumed collection is a new run in the same directory: its lines get their own run id.
    const runId = createRunId();
    const earlierRuns = Array.isArray(previous?.run_ids) ? (previous.run_ids as unknown[]) : typeof previous?.run_id === 'string' ? [previous.run_id] : [];
    if (flags.resume) {
      // Episodes that finished (anything but interrupted) are not collected again.
      const finished = new Set((await runDir.readEpisodes()).filter((e) => e.termination !== 'interrupted').map((e) => e.task_id));
      tasks = tasks.filter((t) => !finished.has(t.task_id));
    }
    factory = await createWebShopEnvFactory({
      baseUrl,
      browser: browserSource(flags),
      maxSteps: flags.maxSteps,
      timeoutMs: flags.stepTimeout,
      searchAnywhere: flags.searchAnywhere ?? false,
      observationMode: flags.observation,
    });
    await runDir.writeManifest({
      run_id: runId,
      run_ids: [...earlierRuns, runId],
      command: ['dreambridge', ...process.argv.slice(2)],
      created_at: previous?.created_at ?? new Date().toISOString(),
      seeds: { seed: flags.seed },
      versions: { dreambridge: packageVersion(), playwright: packageVersionOf('playwright-core'), browser: await factory.provider.version(), node: process.version },
      site: {
        env: 'webshop',
        base_url: baseUrl,
        profile_version: WEBSHOP_PROFILE_VERSION,
        key_version: WEBSHOP_KEY_VERSION,
        ...(site ? { fixture: { seed: site.seed, products: site.products.length, goals: site.goals.length, catalog_hash: site.catalogHash() } } : { goal_count: goalCount }),
      },
      policy: { name: flags.policy, kind: 'embedded (no LLM)' },
      options: { split: flags.split, episodes: tasks.length, concurrency: flags.concurrency, max_steps: flags.maxSteps, step_timeout_ms: flags.stepTimeout, observation: flags.observation, search_anywhere: flags.searchAnywhere ?? false },
      models: {},
    });
    const progress = createProgress(tasks.length);
    const summary = await runEpisodes({
      envFactory: factory,
      policy: makePolicy,
      tasks,
      concurrency: flags.concurrency,
      runDir,
      runId,
      envName: 'webshop',
      stepTimeoutMs: flags.stepTimeout,
      signal,
      onEvent: (event) => progress.onEvent(event),
    });
    progress.stop();
    await runDir.close();
    return { summary, dir: runDir.dir, interrupted: signal.aborted };
  } finally {
    await factory?.close();
    await fixture?.close();
  }
};

const packageVersionOf = (name: string): string => {
  try {
    const path = new URL(import.meta.resolve(`${name}/package.json`));
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
};

/** `episodes 20, mean reward 0.612, success 25.0%, 131 steps, 131 real interactions, 14.2 s`. */
export const formatSummary = (s: RunSummary): string =>
  `episodes ${s.episodes}, mean reward ${s.meanReward.toFixed(3)}, success ${(s.successRate * 100).toFixed(1)}%, ` +
  `${s.steps} steps, ${s.realInteractions} real interactions, ${(s.wallMs / 1000).toFixed(1)} s` +
  (s.failedEpisodes > 0 ? `, ${s.failedEpisodes} failed` : '');
