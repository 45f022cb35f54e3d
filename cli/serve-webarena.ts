import { dirname, resolve } from 'node:path';
import type { Logger } from 'pino';
import { createBrowserProvider, type BrowserProvider, type BrowserSource } from '../adapters/browser/browser-provider.js';
import type { Judge } from '../adapters/webarena/evaluators/judge.js';
import { WebArenaEnv } from '../adapters/webarena/webarena-env.js';
import type { LoginCredentials } from '../adapters/webarena/webarena-login.js';
import { createWebArenaProfile, WEBARENA_KEY_VERSION, WEBARENA_PROFILE_VERSION } from '../adapters/webarena/webarena-profile.js';
import { resolveSites } from '../adapters/webarena/webarena-sites.js';
import { parseWebArenaTasks, type WebArenaTask } from '../adapters/webarena/webarena-task-config.js';
import { loadFixtureTasks } from '../fixtures/webarena/reference-actions.js';
import { startWebArenaFixture, type RunningWebArenaFixture } from '../fixtures/webarena/server.js';
import type { EnvFactory } from '../src/env/env.js';
import { ConfigInvalidError } from '../src/env/errors.js';
import type { Task } from '../src/protocol/index.js';
import { parseLoginFlag } from './collect-webarena-run.js';
import type { RealSource } from './serve-webshop.js';
import { createWarmContextProvider } from './serve-warm-contexts.js';
import { readWebArenaTaskFile } from './webarena-task-file.js';

export interface ServeWebArenaOptions {
  fixture?: boolean | undefined;
  configs?: string | undefined;
  sites?: string | undefined;
  authDir?: string | undefined;
  login?: string[] | undefined;
  maxSteps: number;
  stepTimeoutMs: number;
  compact?: boolean | undefined;
  browser: BrowserSource;
  warmContexts: number;
  /** Where contexts come from instead of a browser of `browser` (e.g. the run's worker cluster). */
  provider?: BrowserProvider;
  /** LLM judge for fuzzy_match (`--judge openai:NAME`); none = the labelled exact-match fallback. */
  judge?: Judge | undefined;
}

/**
 * A live WebArena for the server: the local WebArena-style sites (each session episode in its own
 * namespace) or the user's sites from WebArena task configs. fuzzy_match uses `judge` when given,
 * else the labelled exact-match fallback.
 */
export const openWebArenaSource = async (options: ServeWebArenaOptions, logger: Logger): Promise<RealSource> => {
  if (Boolean(options.fixture) === Boolean(options.configs)) throw new ConfigInvalidError('give exactly one of --fixture (the local WebArena-style sites) or --configs FILE --sites …');
  let fixture: RunningWebArenaFixture | undefined;
  let tasks: WebArenaTask[];
  let sites: (episode: string) => Record<string, string>;
  let login: Record<string, LoginCredentials>;
  let authDir: string;
  if (options.fixture) {
    fixture = await startWebArenaFixture({ port: 0, logger });
    const running = fixture;
    tasks = parseWebArenaTasks(loadFixtureTasks(), 'fixtures/webarena/tasks.json');
    sites = (episode) => running.sitesFor(episode);
    login = running.credentials as Record<string, LoginCredentials>;
    authDir = process.cwd();
  } else {
    tasks = readWebArenaTaskFile(options.configs!);
    const resolved = resolveSites(options.sites, process.env) as Record<string, string>;
    sites = () => resolved;
    login = Object.fromEntries((options.login ?? []).map(parseLoginFlag));
    authDir = resolve(options.authDir ?? dirname(options.configs!));
  }
  const byId = new Map(tasks.map((t) => [String(t.task_id), t]));
  const contexts = createWarmContextProvider(options.provider ?? createBrowserProvider(options.browser), { warm: options.warmContexts });
  try {
    await contexts.start();
  } catch (error) {
    await contexts.close();
    await fixture?.close();
    throw error;
  }
  const factory: EnvFactory = {
    source: 'real',
    create: () =>
      Promise.resolve(
        new WebArenaEnv({
          browser: contexts,
          tasks: byId,
          sites,
          authDir,
          login,
          observation: options.compact ? 'compact' : 'tree',
          maxSteps: options.maxSteps,
          timeoutMs: options.stepTimeoutMs,
          clearBeforeType: Boolean(fixture),
          ...(options.judge ? { judge: options.judge } : {}),
        }),
      ),
    close: () => contexts.close(),
  };
  // The intent is the instruction a dreamed episode shows (the real env reads its own config).
  const taskList: Task[] = [...byId.entries()].map(([id, t]) => ({ task_id: id, env: 'webarena', instruction: t.intent }));
  return {
    factory,
    tasks: () => taskList,
    profile: createWebArenaProfile({ taskIds: [...byId.keys()] }),
    contexts,
    browserVersion: await contexts.version(),
    site: { env: 'webarena', profile_version: WEBARENA_PROFILE_VERSION, key_version: WEBARENA_KEY_VERSION, ...(fixture ? { fixture: { tasks: tasks.length } } : { configs: options.configs, tasks: tasks.length }), judge: options.judge?.name ?? 'none (exact-match fallback)' },
    close: async () => {
      await factory.close();
      await fixture?.close();
    },
  };
};
