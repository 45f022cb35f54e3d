import { ConfigInvalidError } from '../../src/env/errors.js';
import type { SiteDefinition, SiteFacts, SiteFlagValues, SiteTasks } from '../../src/env/site-definition.js';
import type { Split, Task } from '../../src/protocol/index.js';
import { createHeuristicWebShopPolicy } from './webshop-heuristic-policy.js';
import { webShopBranching } from './webshop-branching.js';
import { openWebShopOverHttp, TRANSPORT_FLAG, type WebShopTransport } from './webshop-transport-flag.js';
import { createWebShopProfile, WEBSHOP_DEFAULT_GOAL_COUNT, WEBSHOP_DEFAULT_MAX_STEPS, WEBSHOP_KEY_VERSION, WEBSHOP_PROFILE_VERSION } from './webshop-profile.js';

/** What the WebShop site knows before it is opened: its goals (and their instructions when local). */
export interface WebShopFacts extends SiteFacts {
  goalCount: number;
  /** The user's deployment (`--url`); absent for the local site. */
  baseUrl?: string;
}

/** The started local WebShop. */
export interface WebShopLocation {
  baseUrl: string;
}

/** The WebShop flags every real-site command takes (commander keys). */
interface WebShopFlags {
  url?: string;
  goalCount?: number;
  searchAnywhere?: boolean;
  observation?: 'text' | 'text_rich';
  allowExternalResources?: boolean;
  transport?: WebShopTransport;
}

const flagsOf = (flags: SiteFlagValues): WebShopFlags => flags as WebShopFlags;

const positiveInt = (value: string): number => {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) throw new ConfigInvalidError(`"${value}" is not an integer ≥ 1.`);
  return Number(value);
};

/**
 * WebShop's goals as tasks: a split in order, or a goal by index (`instruction` where the goals'
 * texts are known, as on the local site).
 */
export const webShopTasks = (goalCount: number, instruction?: (index: number) => string | undefined): SiteTasks => {
  const profile = createWebShopProfile({ goalCount });
  const withInstruction = (task: Task): Task => {
    const text = instruction?.(Number(task.task_id));
    return text === undefined ? task : { ...task, instruction: text };
  };
  return {
    split: (split: Split) => profile.tasks(split).map(withInstruction),
    byId: (id, flag) => {
      const index = Number(id);
      if (!/^\d+$/.test(id) || index >= goalCount) throw new ConfigInvalidError(`${flag}: goal ${id} is out of range: the site has goals 0 to ${goalCount - 1}`);
      return withInstruction({ task_id: String(index), env: 'webshop' });
    },
  };
};

/** The WebShop site: the local one or a user's deployment, through Playwright. */
export const webShopSite: SiteDefinition<WebShopFacts, WebShopLocation> = {
  name: 'webshop',
  displayName: 'WebShop',
  defaults: {
    maxSteps: WEBSHOP_DEFAULT_MAX_STEPS,
    policy: () => 'heuristic',
    collectEpisodes: 20,
    localIsolated: true,
  },
  flags: [
    { flags: '--url <url>', description: 'base URL of your WebShop deployment (e.g. http://127.0.0.1:3000)' },
    { flags: '--goal-count <n>', description: "goals of a --url site (default 6910, WebShop's synthetic goals)", parse: positiveInt },
    { flags: '--search-anywhere', description: "allow search[...] on any page, as WebShop's text env does (default: only where the search bar is); dream and real agree on it" },
    { flags: '--observation <mode>', description: 'observation text format', choices: ['text', 'text_rich'], defaultValue: 'text' },
    {
      flags: '--allow-external-resources',
      description: "let WebShop pages load images, fonts and other origins' scripts/styles (default: refused at once, so an unreachable CDN costs no step time)",
    },
    TRANSPORT_FLAG,
  ],
  locationHint: '--fixture (the local WebShop) or --url URL',
  hasRemote: (flags) => Boolean(flagsOf(flags).url),
  facts: (flags) => {
    const { url, goalCount = WEBSHOP_DEFAULT_GOAL_COUNT } = flagsOf(flags);
    return Promise.resolve({
      goalCount,
      tasks: webShopTasks(goalCount),
      ...(url ? { baseUrl: url } : {}),
      manifest: { env: 'webshop', profile_version: WEBSHOP_PROFILE_VERSION, key_version: WEBSHOP_KEY_VERSION, ...(url ? { base_url: url } : {}), goal_count: goalCount },
    });
  },
  profile: (flags, facts, maxSteps) => createWebShopProfile({ goalCount: facts.goalCount, searchAnywhere: flagsOf(flags).searchAnywhere ?? false, maxSteps }),
  open: async (options) => {
    const flags = flagsOf(options.flags);
    const baseUrl = options.local?.baseUrl ?? options.facts.baseUrl;
    if (baseUrl === undefined) throw new ConfigInvalidError(`a real WebShop run needs ${webShopSite.locationHint}`);
    if (flags.transport === 'http') return openWebShopOverHttp(options, baseUrl);
    // Loaded here, not at import: every command builds its flags from the registry, few open a browser.
    const [{ openBrowserSite }, { checkBaseUrl }, { WebShopEnv }] = await Promise.all([import('../browser/context-supply.js'), import('./check-base-url.js'), import('./webshop-env.js')]);
    await checkBaseUrl(baseUrl);
    const observationMode = flags.observation ?? 'text';
    const searchAnywhere = flags.searchAnywhere ?? false;
    const allowExternalResources = flags.allowExternalResources ?? false;
    return openBrowserSite(
      options.browser,
      options.contexts,
      (browser) => new WebShopEnv({ baseUrl, browser, maxSteps: options.profile.maxSteps, timeoutMs: options.stepTimeoutMs, searchAnywhere, observationMode, allowExternalResources }),
      { ...options.facts.manifest, base_url: baseUrl, observation: observationMode, search_anywhere: searchAnywhere, allow_external_resources: allowExternalResources, transport: 'browser' },
      options.logger,
    );
  },
  policies: {
    heuristic: () => () => createHeuristicWebShopPolicy(),
  },
  branching: webShopBranching,
};
