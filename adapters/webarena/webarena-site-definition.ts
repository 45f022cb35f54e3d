import { dirname, resolve } from 'node:path';
import { ConfigInvalidError } from '../../src/env/errors.js';
import type { SiteDefinition, SiteFacts, SiteFlagValues, SiteTasks } from '../../src/env/site-definition.js';
import type { Task } from '../../src/protocol/index.js';
import type { LoginRecipe } from './site-file-schema.js';
import { readSiteFile, type SiteSpecs } from './site-file.js';
import { siteCanonicalKey, sitePageType, SITE_KEY_VERSION, type SitesRules } from './site-page-rules.js';
import { checkRequiredResets } from './site-resets.js';
import { toSiteLogins, type LoginCredentials, type SiteLogins } from './webarena-login.js';
import { createWebArenaProfile, WEBARENA_DEFAULT_MAX_STEPS, WEBARENA_KEY_VERSION, WEBARENA_PROFILE_VERSION } from './webarena-profile.js';
import { resolveSites } from './webarena-sites.js';
import type { WebArenaTask } from './webarena-task-config.js';
import { readWebArenaTaskFile } from './webarena-task-file.js';

/** What a WebArena site knows before it is opened: its task configs (and oracles when local). */
export interface WebArenaFacts extends SiteFacts {
  configs: ReadonlyMap<string, WebArenaTask>;
  /** The user's sites (`--sites` or the SHOPPING, REDDIT, … variables); absent for the local sites. */
  sites?: Record<string, string>;
  /** Login recipes by site (a site file's, `--login`'s, the local sites'). */
  login: SiteLogins;
  /** The sites of `--site-file` (none without one). */
  specs: SiteSpecs;
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
  siteFile?: string;
  allowDirty?: boolean;
  maxSteps?: number;
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
  const m = /^([a-z][a-z0-9_]*)=([^:]+):(.*?)(?:@(\/\S*))?$/.exec(value);
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

type FactsExtra = Omit<WebArenaFacts, 'configs' | 'tasks' | 'manifest' | 'login' | 'specs'> & {
  reference?: Readonly<Record<string, readonly string[]>>;
  manifest: Record<string, unknown>;
  login: Readonly<Record<string, LoginCredentials | LoginRecipe>>;
  specs?: SiteSpecs;
};

/** The WebArena facts of a configs file and its sites. */
export const webArenaFactsOf = (configs: readonly WebArenaTask[], extra: FactsExtra): WebArenaFacts => {
  const byId = new Map(configs.map((t) => [String(t.task_id), t]));
  const { reference, manifest, login, specs, ...rest } = extra;
  const keyVersion = specs && specs.size > 0 ? `${WEBARENA_KEY_VERSION}+${SITE_KEY_VERSION}` : WEBARENA_KEY_VERSION;
  return {
    ...rest,
    login: toSiteLogins(login),
    specs: specs ?? new Map(),
    configs: byId,
    tasks: webArenaTasks(byId, reference),
    manifest: { env: 'webarena', profile_version: WEBARENA_PROFILE_VERSION, key_version: keyVersion, ...manifest },
  };
};

/** The site-file sites with the URLs the run resolved for them (flags and variables override the file). */
export const sitesRulesOf = (facts: Pick<WebArenaFacts, 'specs' | 'sites'>, sites: Readonly<Record<string, string>> = facts.sites ?? {}): SitesRules =>
  Object.fromEntries([...facts.specs.values()].map((spec) => [spec.name, { url: sites[spec.name] ?? spec.url, pages: spec.pages }]));

/** A site file's login recipes with `--login` credentials on top (a site without a recipe gets the default one). */
const mergeLogins = (specs: SiteSpecs, flagged: ReadonlyArray<[string, LoginCredentials]>): Record<string, LoginCredentials | LoginRecipe> => {
  const logins: Record<string, LoginCredentials | LoginRecipe> = {};
  for (const spec of specs.values()) if (spec.login) logins[spec.name] = spec.login;
  for (const [site, creds] of flagged) {
    const recipe = logins[site];
    logins[site] = recipe && !('loginPath' in recipe) ? { ...recipe, username: creds.username, password: creds.password } : creds;
  }
  return logins;
};

/** `--concurrency K > 1` is refused when a site of the tasks does not declare that its episodes are isolated. */
const checkIsolation = (facts: WebArenaFacts, concurrency: number): void => {
  if (facts.local || concurrency <= 1) return;
  const used = new Set([...facts.configs.values()].flatMap((t) => t.sites));
  const shared = [...used].filter((site) => facts.specs.get(site)?.isolated !== true);
  if (shared.length > 0) {
    throw new ConfigInvalidError(
      `--concurrency ${concurrency}: ${shared.join(', ')} ${shared.length > 1 ? 'do' : 'does'} not declare isolated episodes, so parallel episodes would see each other's changes: run with --concurrency 1, or set "isolated": true for the site in --site-file when each episode gets its own copy`,
    );
  }
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
    { flags: '--site-file <file>', description: 'WebArena: site definitions (JSON): per site its URL, login recipe with success check, reset, page rules, max steps, isolation' },
    { flags: '--allow-dirty', description: 'WebArena: run require_reset tasks on sites that have no reset (default: refused)' },
    { flags: '--sites <list>', description: 'WebArena: site URLs, any site name, e.g. shopping=http://host:7770,wiki=http://host:8080 (default: SHOPPING, WIKI, … env vars, then --site-file)' },
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
    const { configs, sites, login, authDir, siteFile, allowDirty } = flagsOf(flags);
    if (!configs) return Promise.resolve(webArenaFactsOf([], { login: {}, authDir: process.cwd(), local: false, manifest: {} }));
    const tasks = readWebArenaTaskFile(configs);
    const specs = siteFile ? readSiteFile(siteFile) : new Map();
    const names = new Set([...tasks.flatMap((t) => t.sites), ...specs.keys()]);
    const fromFile = Object.fromEntries([...specs.values()].map((spec) => [spec.name, spec.url]));
    const dirty = checkRequiredResets(tasks, specs, allowDirty ?? false);
    return Promise.resolve(
      webArenaFactsOf(tasks, {
        sites: { ...fromFile, ...resolveSites(sites, process.env, names) } as Record<string, string>,
        login: mergeLogins(specs, (login ?? []).map(parseLoginFlag)),
        specs,
        authDir: resolve(authDir ?? dirname(configs)),
        local: false,
        manifest: {
          configs,
          tasks: tasks.length,
          ...(siteFile
            ? { site_file: resolve(siteFile), site_definitions: Object.fromEntries([...specs.values()].map((s) => [s.name, { isolated: s.isolated, reset: s.reset ? { kind: s.reset.command !== undefined ? 'command' : 'http', when: s.reset.when ?? 'episode' } : null, login_check: s.login !== undefined, page_rules: s.pages.length, max_steps: s.maxSteps ?? null }])) }
            : {}),
          ...(dirty.length > 0 ? { dirty_tasks: dirty } : {}),
        },
      }),
    );
  },
  profile: (_flags, facts, maxSteps) => {
    const rules = sitesRulesOf(facts);
    const ruled = Object.keys(rules).length > 0;
    return createWebArenaProfile({
      taskIds: [...facts.configs.keys()],
      maxSteps,
      ...(facts.sites ? { sites: facts.sites } : {}),
      ...(ruled ? { sitePageType: (url: string) => sitePageType(url, rules), siteCanonicalKey: (state: Parameters<typeof siteCanonicalKey>[0]) => siteCanonicalKey(state, rules) } : {}),
    });
  },
  open: async (options) => {
    const flags = flagsOf(options.flags);
    const { facts, local } = options;
    const fixed = facts.sites;
    const sitesFor = local ? (episode: string) => local.sitesFor(episode) : fixed ? () => fixed : undefined;
    if (!sitesFor) throw new ConfigInvalidError(`a real WebArena run needs ${webArenaSite.locationHint}`);
    // Loaded here, not at import: every command builds its flags from the registry, few open a browser.
    const [{ openBrowserSite }, { judgeFromFlags }, { WebArenaEnv }, { SiteResets }, { StorageStates }] = await Promise.all([
      import('../browser/context-supply.js'),
      import('./webarena-judge-flag.js'),
      import('./webarena-env.js'),
      import('./site-resets.js'),
      import('./webarena-login.js'),
    ]);
    // Everything that can fail on bad flags comes before the browser starts.
    if (options.contexts.kind === 'cluster') checkIsolation(facts, options.contexts.concurrency);
    const judge = judgeFromFlags(flags);
    const observation = flags.compact ? 'compact' : 'tree';
    // Shared by the run's envs: resets of a site in order ('run' ones once), storage states checked once.
    const resets = new SiteResets(facts.specs);
    const states = new StorageStates();
    const siteMaxSteps = (task: WebArenaTask): number | undefined => {
      if (flags.maxSteps !== undefined) return undefined;
      const limits = task.sites.flatMap((site) => facts.specs.get(site)?.maxSteps ?? []);
      return limits.length === 0 ? undefined : Math.min(...limits);
    };
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
          states,
          ...(resets.any ? { resets } : {}),
          ...(facts.specs.size > 0
            ? { pageTypeOf: (url: string, sites: Readonly<Record<string, string>>) => sitePageType(url, sitesRulesOf(facts, sites)), maxStepsFor: siteMaxSteps }
            : {}),
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
