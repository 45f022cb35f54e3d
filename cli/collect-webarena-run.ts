import { dirname, resolve } from 'node:path';
import type { BrowserSource } from '../adapters/browser/browser-provider.js';
import { createBrowserProvider } from '../adapters/browser/browser-provider.js';
import { WebArenaEnv } from '../adapters/webarena/webarena-env.js';
import type { LoginCredentials } from '../adapters/webarena/webarena-login.js';
import { readTreeEntries, WEBARENA_KEY_VERSION, WEBARENA_PROFILE_VERSION } from '../adapters/webarena/webarena-profile.js';
import { parseWebArenaTasks, type WebArenaTask } from '../adapters/webarena/webarena-task-config.js';
import { resolveSites } from '../adapters/webarena/webarena-sites.js';
import { loadFixtureTasks, loadReferenceActions } from '../fixtures/webarena/reference-actions.js';
import { startWebArenaFixture, type RunningWebArenaFixture } from '../fixtures/webarena/server.js';
import { createOraclePolicy, createRandomPolicy, createReplayPolicy } from '../harness/policies/index.js';
import type { Policy } from '../harness/policy.js';
import { runEpisodes, type RunSummary } from '../harness/runner.js';
import type { EnvFactory } from '../src/env/env.js';
import { ConfigInvalidError } from '../src/env/errors.js';
import type { Task } from '../src/protocol/index.js';
import { createRunId, openRunDirectory } from '../src/store/index.js';
import type { CollectResult } from './collect-run.js';
import { judgeFromFlags, type JudgeFlags } from './judge-flag.js';
import { createLogger } from './logger.js';
import { packageVersion } from './package-version.js';
import { createProgress } from './progress.js';
import { readWebArenaTaskFile } from './webarena-task-file.js';

export interface WebArenaCollectFlags extends JudgeFlags {
  fixture?: boolean;
  configs?: string;
  sites?: string;
  authDir?: string;
  login?: string[];
  policy?: 'oracle' | 'random' | 'replay';
  actions?: string;
  episodes?: number;
  goals?: number[];
  concurrency: number;
  maxSteps?: number;
  out: string;
  resume?: boolean;
  fsync?: boolean;
  seed: number;
  stepTimeout: number;
  strictUrl?: boolean;
  compact?: boolean;
  clearBeforeType?: boolean;
  browser: BrowserSource;
  replayActions?: (task: Task) => string[];
}

/** `--login site=user:password@/login/path` (path relative to the site's base URL). */
export const parseLoginFlag = (value: string): [string, LoginCredentials] => {
  const m = /^([a-z_]+)=([^:]+):(.*?)(?:@(\/\S*))?$/.exec(value);
  if (!m?.[1] || !m[2] || m[3] === undefined) throw new ConfigInvalidError(`--login ${value}: expected site=user:password[@/login/path]`);
  return [m[1], { username: m[2], password: m[3], loginPath: m[4] ?? '/login' }];
};

/** The id of the element with this role and accessible name in a WebArena observation text. */
export const findId = (text: string, role: string, name: string): string | undefined =>
  readTreeEntries(text).find((e) => e.role === role && e.name === name)?.id;

interface Setup {
  tasks: WebArenaTask[];
  sites: (episode: string) => Record<string, string>;
  login: Record<string, LoginCredentials>;
  authDir: string;
  fixture?: RunningWebArenaFixture;
  reference?: Record<string, string[]>;
}

const setUp = async (flags: WebArenaCollectFlags): Promise<Setup> => {
  if (Boolean(flags.fixture) === Boolean(flags.configs)) throw new ConfigInvalidError('give exactly one of --fixture (the local WebArena-style sites) or --configs FILE --sites …');
  if (flags.fixture) {
    const fixture = await startWebArenaFixture({ port: 0 });
    return {
      tasks: parseWebArenaTasks(loadFixtureTasks(), 'fixtures/webarena/tasks.json'),
      sites: (episode) => fixture.sitesFor(episode),
      login: fixture.credentials as Record<string, LoginCredentials>,
      authDir: process.cwd(),
      fixture,
      reference: loadReferenceActions(),
    };
  }
  const tasks = readWebArenaTaskFile(flags.configs!);
  const sites = resolveSites(flags.sites, process.env) as Record<string, string>;
  return {
    tasks,
    sites: () => sites,
    login: Object.fromEntries((flags.login ?? []).map(parseLoginFlag)),
    authDir: resolve(flags.authDir ?? dirname(flags.configs!)),
  };
};

const choosePolicy = (flags: WebArenaCollectFlags, setup: Setup): ((task: Task) => Policy) => {
  const policy = flags.policy ?? (setup.reference ? 'oracle' : undefined);
  if (policy === undefined) throw new ConfigInvalidError('--policy is required for real WebArena sites (oracle, random or replay)');
  if (policy === 'random') return (task) => createRandomPolicy({ seed: `${flags.seed}:${task.task_id}` });
  if (policy === 'replay') {
    const actionsFor = flags.replayActions;
    if (!actionsFor) throw new ConfigInvalidError('--policy replay needs --actions FILE');
    return (task) => createReplayPolicy({ actions: actionsFor(task) });
  }
  const reference = setup.reference ?? (flags.replayActions ? undefined : {});
  return (task) => {
    const actions = reference?.[task.task_id] ?? flags.replayActions?.(task);
    if (!actions) throw new ConfigInvalidError(`--policy oracle: no reference sequence for task ${task.task_id} (the fixture tasks have them; elsewhere give --actions)`);
    // goto placeholders (__SHOPPING_ADMIN__) are resolved by the env for the episode's sites.
    return createOraclePolicy({ actions, findId });
  };
};

/**
 * Collects WebArena episodes: the local fixture sites (each episode in its own namespace, so
 * episodes may run in parallel) or a user's WebArena sites (shared state: concurrency 1 unless
 * asked otherwise).
 */
export const runCollectWebArena = async (flags: WebArenaCollectFlags, signal: AbortSignal): Promise<CollectResult> => {
  const logger = createLogger('collect');
  // Everything that can fail on bad flags comes before the fixture starts.
  const judge = judgeFromFlags(flags);
  const setup = await setUp(flags);
  const provider = createBrowserProvider(flags.browser);
  try {
    const byId = new Map(setup.tasks.map((t) => [String(t.task_id), t]));
    let tasks: Task[] = (flags.goals ?? setup.tasks.map((t) => t.task_id)).map((id) => {
      if (!byId.has(String(id))) throw new ConfigInvalidError(`--goals: no task ${id} in the configs`);
      return { task_id: String(id), env: 'webarena' };
    });
    if (flags.episodes !== undefined) tasks = tasks.slice(0, flags.episodes);
    const runDir = await openRunDirectory(flags.out, { resume: flags.resume ?? false, fsync: flags.fsync ?? false });
    if (flags.resume) {
      const finished = new Set((await runDir.readEpisodes()).filter((e) => e.termination !== 'interrupted').map((e) => e.task_id));
      tasks = tasks.filter((t) => !finished.has(t.task_id));
    }
    const runId = createRunId();
    const factory: EnvFactory = {
      source: 'real',
      create: () =>
        Promise.resolve(
          new WebArenaEnv({
            browser: provider,
            tasks: byId,
            sites: setup.sites,
            authDir: setup.authDir,
            login: setup.login,
            observation: flags.compact ? 'compact' : 'tree',
            maxSteps: flags.maxSteps ?? 30,
            timeoutMs: flags.stepTimeout,
            clearBeforeType: flags.clearBeforeType ?? Boolean(setup.fixture),
            strictUrl: flags.strictUrl ?? false,
            ...(judge ? { judge } : {}),
          }),
        ),
      close: () => provider.close(),
    };
    const policyFor = choosePolicy(flags, setup);
    await runDir.writeManifest({
      run_id: runId,
      command: ['dreambridge', ...process.argv.slice(2)],
      created_at: new Date().toISOString(),
      seeds: { seed: flags.seed },
      versions: { dreambridge: packageVersion(), browser: await provider.version(), node: process.version },
      site: { env: 'webarena', profile_version: WEBARENA_PROFILE_VERSION, key_version: WEBARENA_KEY_VERSION, ...(setup.fixture ? { fixture: { tasks: setup.tasks.length } } : { configs: flags.configs }) },
      policy: { name: flags.policy ?? 'oracle', kind: 'embedded (no LLM)' },
      models: { judge: flags.judge ?? 'none (exact-match fallback)' },
      options: { episodes: tasks.length, concurrency: flags.concurrency, max_steps: flags.maxSteps ?? 30, observation: flags.compact ? 'compact' : 'tree' },
    });
    const progress = createProgress(tasks.length);
    const summary: RunSummary = await runEpisodes({
      envFactory: factory,
      policy: policyFor,
      tasks,
      concurrency: flags.concurrency,
      runDir,
      runId,
      envName: 'webarena',
      stepTimeoutMs: flags.stepTimeout,
      signal,
      onEvent: (event) => progress.onEvent(event),
    });
    progress.stop();
    await runDir.close();
    logger.debug({ summary }, 'collected');
    return { summary, dir: runDir.dir, interrupted: signal.aborted };
  } finally {
    await provider.close();
    await setup.fixture?.close();
  }
};
