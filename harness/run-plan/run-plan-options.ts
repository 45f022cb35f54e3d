import type { BrowserChoice, LocalSite, SiteDefinition, SiteFlagValues } from '../../src/env/site-definition.js';
import type { Split } from '../../src/protocol/index.js';

/**
 * Everything a run plan is built from: `collect`, `run` and `fidelity` are one plan with different
 * defaults (see the commands' `--help` for each flag's documentation and default).
 */
export interface RunPlanOptions {
  /** The command (its defaults and the manifest's `command` kind). */
  command: 'collect' | 'run' | 'fidelity';
  site: SiteDefinition;
  /** The site's local copy (`--fixture`), when the run uses it. */
  local?: ((seed: number) => Promise<LocalSite>) | undefined;
  /** The site's own flags (read by the site module only). */
  siteFlags: SiteFlagValues;
  browser: BrowserChoice;
  seed: number;
  /** `real`, `dream`, `s2r` or `mix:P`. */
  schedule: string;
  dreamEpisodes?: number | undefined;
  realCap?: number | undefined;
  ledger?: string | undefined;
  onBudgetExhausted: 'stop' | 'dream';
  countResets?: boolean | undefined;
  model: string;
  modelBaseUrl?: string | undefined;
  embed: string;
  embedBaseUrl?: string | undefined;
  promptDir?: string | undefined;
  buffer: readonly string[];
  /** Replay-buffer cap in transitions (default DEFAULT_BUFFER_MAX); past it the oldest dream transition goes first. */
  bufferMax?: number | undefined;
  /** `redis://…#STREAM`: the fleet's shared stream of transitions (appended to, tailed, caught up from at the start). Default: none. */
  bufferStream?: string | undefined;
  taskFile?: string | undefined;
  /** Explicit task ids (`collect --goals`): every one once, in order. */
  taskIds?: readonly string[] | undefined;
  split: Split;
  policy?: string | undefined;
  realPolicy?: string | undefined;
  policyBaseUrl?: string | undefined;
  actions?: string | undefined;
  /** Episodes in total. Default: `collect` the site's collect default, otherwise 20. */
  episodes?: number | undefined;
  group: number;
  concurrency: number;
  realConcurrency?: number | undefined;
  /** Steps before truncation. Default: the site's (WebShop 15, WebArena 30). */
  maxSteps?: number | undefined;
  shadow?: number | undefined;
  gamma?: number | undefined;
  rMax?: number | undefined;
  episodeTimeout?: number | undefined;
  /** Browser contexts per browser before it is restarted (bounds memory). Default 50. */
  restartBrowserAfter?: number | undefined;
  stepTimeout: number;
  resume?: boolean | undefined;
  fsync?: boolean | undefined;
  out: string;
  /** The command line recorded in the manifest (secrets masked). Default: this process's. */
  commandLine?: readonly string[] | undefined;
}
