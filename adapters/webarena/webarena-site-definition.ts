import { dirname, resolve } from 'node:path';
import { ConfigInvalidError } from '../../src/env/errors.js';
import type { SiteDefinition, SiteFacts, SiteFlagValues, SiteTasks } from '../../src/env/site-definition.js';
import type { Task } from '../../src/protocol/index.js';
import type { LoginCredentials } from './webarena-login.js';
import { createWebArenaProfile, WEBARENA_DEFAULT_MAX_STEPS, WEBARENA_KEY_VERSION, WEBARENA_PROFILE_VERSION } from './webarena-profile.js';
import { resolveSites } from './webarena-sites.js';
import type { WebArenaTask } from './webarena-task-config.js';
import { readWebArenaTaskFile } from './webarena-task-file.js';

/** What a WebArena site knows before it is opened: its task configs (and oracles when local). */
export interface WebArenaFacts extends SiteFacts {
  configs: ReadonlyMap<string, WebArenaTask>;
  /** The user's sites (`--sites` or the SHOPPING, REDDIT, … variables); absent for the local sites. */
  sites?: Record<string, string>;
  login: Record<string, LoginCredentials>;
  authDir: string;
  /** Local sites: each episode gets its own namespace, and the reference sequences assume cleared fields. */
  local: boolean;
}

/** The started local WebArena-style sites. */
export interface WebArenaLocation {
  /** The sites' URLs for an episode (each episode in its own namespace). */
  sitesFor(episode: string): Record<string, string>;
}

interface WebArenaFlags {
  configs?: string;
  sites?: string;
  authDir?: string;
  login?: string[];
  compact?: boolean;
  judge?: string;
  judgeBaseUrl?: string;
  strictUrl?: boolean;
  clearBeforeType?: boolean;
}

const flagsOf = (flags: SiteFlagValues): WebArenaFlags => flags as WebArenaFlags;

/** `--login site=user:password@/login/path` (path relative to the site's base URL). */
export const parseLoginFlag = (value: string): [string, LoginCredentials] => {
  const m = /^([a-z_]+)=([^:]+):(.*?)(?:@(\/\S*))?$/.exec(value);
  if (!m?.[1] || !m[2] || m[3] === undefined) throw new ConfigInvalidError(`--login ${value}: expected site=user:password[@/login/path]`);
  return [m[1], { username: m[2], password: m[3], loginPath: m[4] ?? '/login' }];
};

/** Tasks of WebArena configs: intents as instructions (what a dreamed episode shows), every split the same. */
export const webArenaTasks = (configs: ReadonlyMap<string, WebArenaTask>, reference?: Readonly<Record<string, readonly string[]>>): SiteTasks => {
  // The sites go along as config (AgentGym's WebArena reset answers them).
  const all: Task[] = [...configs.entries()].map(([id, t]) => ({ task_id: id, env: 'webarena', instruction: t.intent, config: { sites: [...t.sites] } }));
  return {
    // WebArena has no split of its own: every task is a test task, and every split offers them all.
    split: () => all,
    byId: (id, flag) => {
      const task = all.find((t) => t.task_id === id);
      if (!task) throw new ConfigInvalidError(`${flag}: no task ${id} in the configs`);
      return task;
    },
    ...(reference ? { referenceActions: (task: Task) => reference[task.task_id] } : {}),
  };
};

/** The WebArena facts of a configs file and its sites. */
export const webArenaFactsOf = (configs: readonly WebArenaTask[], extra: Omit<WebArenaFacts, 'configs' | 'tasks' | 'manifest'> & { reference?: Readonly<Record<string, readonly string[]>>; manifest: Record<string, unknown> }): WebArenaFacts => {
  const byId = new Map(configs.map((t) => [String(t.task_id), t]));
  const { reference, manifest, ...rest } = extra;
  return { ...rest, configs: byId, tasks: webArenaTasks(byId, reference), manifest: { env: 'webarena', profile_version: WEBARENA_PROFILE_VERSION, key_version: WEBARENA_KEY_VERSION, ...manifest } };
};

/** Any WebArena-style sites through Playwright: the local ones, or the user's from task configs. */
export const webArenaSite: SiteDefinition<WebArenaFacts, WebArenaLocation> = {
  name: 'webarena',
  displayName: 'WebArena',
  // AgentGym's WebarenaEnvClient expects agentenv-webarena's shapes under /agentgym.
  agentGymDialect: 'webarena',
  defaults: {
    maxSteps: WEBARENA_DEFAULT_MAX_STEPS,
    // The reference actions: the fixture's, or --actions FILE (a user's sites otherwise need a named policy).
    policy: () => 'oracle',
    collectEpisodes: 'all',
    localIsolated: true,
  },
  flags: [
    { flags: '--configs <file>', description: "WebArena: task configs in WebArena's format (one task or a list, e.g. test.raw.json)" },
    { flags: '--sites <list>', description: 'WebArena: site URLs, e.g. shopping=http://host:7770,reddit=http://host:9999 (default: SHOPPING, REDDIT, … env vars)' },
    { flags: '--auth-dir <dir>', description: "WebArena: where relative storage_state paths resolve (default: the configs file's folder)" },
    { flags: '--login <site=user:password[@/path]>', description: 'WebArena: form login for a site when its storage state is missing (repeatable)', parse: (v, all) => [...((all as string[] | undefined) ?? []), v] },
    { flags: '--compact', description: "WebArena: observe DreamGym's compact view instead of the full accessibility tree" },
    { flags: '--judge <judge>', description: 'WebArena: LLM judge for fuzzy_match, openai:NAME (default: exact-match fallback, labelled judge "none")' },
    { flags: '--judge-base-url <url>', description: 'WebArena: OpenAI-compatible endpoint of the judge (default: OPENAI_BASE_URL)' },
    { flags: '--strict-url', description: 'WebArena: url_match bases must be equal (WebArena: reference contained in the prediction)', commands: ['collect'] },
    { flags: '--clear-before-type', description: 'WebArena: clear a field before typing (WebArena does not; on by default on the fixture, whose reference sequences assume it)', commands: ['collect'] },
  ],
  locationHint: '--fixture (the local WebArena-style sites) or --configs FILE --sites …',
  hasRemote: (flags) => Boolean(flagsOf(flags).configs),
  facts: (flags) => {
    const { configs, sites, login, authDir } = flagsOf(flags);
    if (!configs) return Promise.resolve(webArenaFactsOf([], { login: {}, authDir: process.cwd(), local: false, manifest: {} }));
    const tasks = readWebArenaTaskFile(configs);
    return Promise.resolve(
      webArenaFactsOf(tasks, {
        sites: resolveSites(sites, process.env) as Record<string, string>,
        login: Object.fromEntries((login ?? []).map(parseLoginFlag)),
        authDir: resolve(authDir ?? dirname(configs)),
        local: false,
        manifest: { configs, tasks: tasks.length },
      }),
    );
  },
  profile: (_flags, facts, maxSteps) => createWebArenaProfile({ taskIds: [...facts.configs.keys()], maxSteps }),
  open: async (options) => {
    const flags = flagsOf(options.flags);
    const { facts, local } = options;
    const fixed = facts.sites;
    const sitesFor = local ? (episode: string) => local.sitesFor(episode) : fixed ? () => fixed : undefined;
    if (!sitesFor) throw new ConfigInvalidError(`a real WebArena run needs ${webArenaSite.locationHint}`);
    // Loaded here, not at import: every command builds its flags from the registry, few open a browser.
    const [{ openBrowserSite }, { judgeFromFlags }, { WebArenaEnv }] = await Promise.all([import('../browser/context-supply.js'), import('./webarena-judge-flag.js'), import('./webarena-env.js')]);
    // Everything that can fail on bad flags comes before the browser starts.
    const judge = judgeFromFlags(flags);
    const observation = flags.compact ? 'compact' : 'tree';
    return openBrowserSite(
      options.browser,
      options.contexts,
      (browser) =>
        new WebArenaEnv({
          browser,
          tasks: facts.configs,
          sites: sitesFor,
          authDir: facts.authDir,
          login: facts.login,
          observation,
          maxSteps: options.profile.maxSteps,
          timeoutMs: options.stepTimeoutMs,
          clearBeforeType: flags.clearBeforeType ?? facts.local,
          strictUrl: flags.strictUrl ?? false,
          ...(judge ? { judge } : {}),
        }),
      { ...facts.manifest, observation, judge: judge?.name ?? 'none (exact-match fallback)' },
      options.logger,
    );
  },
};
