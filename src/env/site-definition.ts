import type { Logger } from 'pino';
import type { EnvName, Observation, SiteProfile, Split, Task } from '../protocol/index.js';
import type { EnvFactory } from './env.js';
import type { Policy } from './policy.js';

/**
 * The site registry's contract. Each site is one module of `adapters/` exporting a SiteDefinition:
 * its name, pure profile, task source, real env factory, defaults and its own flags. The CLI and the
 * server iterate the registry instead of branching on site names, so adding a site touches no file
 * of `src/`.
 */

/** Commands a site flag belongs to. */
export type SiteCommand = 'collect' | 'run' | 'fidelity' | 'serve' | 'branch';

/** One flag of a site, as plain data (the CLI turns it into a commander option). */
export interface SiteFlag {
  /** commander's flags text, e.g. `--search-anywhere` or `--configs <file>`. */
  flags: string;
  description: string;
  /** Parses and checks one value (a bad value throws CONFIG_INVALID naming the flag). */
  parse?: (value: string, previous: unknown) => unknown;
  defaultValue?: unknown;
  /** Choices of an enumerated value. */
  choices?: readonly string[];
  /** The commands that take it. Default: every command that reaches a real site. */
  commands?: readonly SiteCommand[];
}

/** Parsed flag values, keyed as commander keys them (camelCase). */
export type SiteFlagValues = Readonly<Record<string, unknown>>;

/** Where real envs get their browser from (flags `--browser-ws`, `--browser-ws-file`, `--browser-cdp`, `--executable`). */
export interface BrowserChoice {
  /** Playwright browser servers (`--browser-ws`, repeatable); with `wsFile`, two or more make a farm. */
  ws?: string | readonly string[] | undefined;
  /** A file of browser-server endpoints, one per line (`--browser-ws-file`). */
  wsFile?: string | undefined;
  cdp?: string | undefined;
  executable?: string | undefined;
}

/**
 * How real envs get browser contexts: a worker cluster bounding contexts in use (runs), a pool of
 * warm contexts (servers), or one shared browser without a cap.
 */
export type ContextSupply =
  | { kind: 'cluster'; concurrency: number; restartAfter?: number | undefined }
  | { kind: 'pool'; warm: number }
  | { kind: 'shared' };

/** A site's tasks: a split in order, or one by id. */
export interface SiteTasks {
  /** Tasks of a split, in order, with their instructions where the site knows them. */
  split(split: Split): Task[];
  /** One task by id; an unknown id throws CONFIG_INVALID naming it (`flag` names where it came from). */
  byId(id: string, flag: string): Task;
  /** Reference actions of a task (the local sites' oracles), when the site has them. */
  referenceActions?(task: Task): readonly string[] | undefined;
}

/** Everything a site knows before a real browser or server is up (from flags or a local fixture). */
export interface SiteFacts {
  tasks: SiteTasks;
  /** What the run manifest records about the site (versions, catalogue hashes, URLs). */
  manifest: Record<string, unknown>;
}

/** A local copy of a site (tests, the demo, benchmarks): its facts now, its server when started. */
export interface LocalSite<Facts extends SiteFacts = SiteFacts, Location = unknown> {
  facts: Facts;
  start(logger: Logger): Promise<Location & { close(): Promise<void> }>;
}

/** What a site needs to open its real envs. */
export interface SiteOpenOptions<Facts extends SiteFacts = SiteFacts, Location = unknown> {
  flags: SiteFlagValues;
  facts: Facts;
  /** The started local site, when the run uses one (`--fixture`). */
  local?: Location | undefined;
  profile: SiteProfile;
  stepTimeoutMs: number;
  browser: BrowserChoice;
  contexts: ContextSupply;
  logger: Logger;
}

/** A real site, open: its env factory and what a server or a manifest needs of it. */
export interface OpenedSite {
  factory: EnvFactory;
  /** Browser contexts open now (leak checks); absent when the site's envs do not use a pool. */
  openContexts?: () => number;
  browserVersion?: string | undefined;
  manifest: Record<string, unknown>;
  close(): Promise<void>;
}

/** What a site-specific policy is made from. */
export interface SitePolicyContext {
  profile: SiteProfile;
  seed: number;
}

/**
 * How `branch` restores and branches this site's recorded episodes (Early Experience). Every hook
 * is optional: without them an episode restores by resetting its task and any action may branch.
 */
export interface SiteBranching {
  /** The task that restores a recorded episode from its first state (WebShop: the same session). */
  restoreTask?(task: Task, first: Observation): Task;
  /**
   * Action names an alternative may have at a state (WebShop, as the paper: `search` on the search
   * page, `click` on results pages); undefined when the state is not branched.
   */
  alternativeKinds?(state: Observation): readonly string[] | undefined;
}

export interface SiteDefinition<Facts extends SiteFacts = SiteFacts, Location = unknown> {
  readonly name: EnvName;
  readonly displayName: string;
  readonly defaults: {
    /** Steps before truncation (the benchmark's own). */
    maxSteps: number;
    /** The embedded policy used when none is named. */
    policy(): string;
    /** Episodes `collect` runs by default: a number, or every task of the selection. */
    collectEpisodes: number | 'all';
    /** Whether episodes of the local site are isolated from each other (concurrency is safe). */
    localIsolated: boolean;
  };
  readonly flags: readonly SiteFlag[];
  /** One line naming how to reach the real site, for errors (`--fixture or --url URL`). */
  readonly locationHint: string;
  /** Whether the flags name a real site of the user's (not the local one). */
  hasRemote(flags: SiteFlagValues): boolean;
  /** The site's facts from flags alone (no local site): task configs, goal counts. */
  facts(flags: SiteFlagValues): Promise<Facts>;
  /** The pure profile for these flags and facts, with `maxSteps` applied (dream and real share it). */
  profile(flags: SiteFlagValues, facts: Facts, maxSteps: number): SiteProfile;
  open(options: SiteOpenOptions<Facts, Location>): Promise<OpenedSite>;
  /** Policies only this site has (WebShop's heuristic), by flag name. */
  readonly policies?: Readonly<Record<string, (context: SitePolicyContext) => (task: Task) => Policy>>;
  /** How `branch` restores and branches its episodes (default: reset the task, any action). */
  readonly branching?: SiteBranching;
  /**
   * Which AgentGym environment server the server's `/agentgym` routes speak like, so AgentGym's
   * client for this benchmark works unchanged: agentenv-webshop's shapes (the default) or
   * agentenv-webarena's.
   */
  readonly agentGymDialect?: 'webshop' | 'webarena';
}
