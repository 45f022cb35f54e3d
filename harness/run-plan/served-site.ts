import type { Logger } from 'pino';
import type { EnvFactory } from '../../src/env/env.js';
import type { BrowserChoice, LocalSite, SiteDefinition, SiteFlagValues } from '../../src/env/site-definition.js';
import type { SiteProfile, Split, Task } from '../../src/protocol/index.js';
import { Resources } from './resources.js';
import { openPreparedSite, prepareSite } from './site-resources.js';
import { siteTaskById } from './site-task-by-id.js';

/** A live site for a server: env factory, the tasks resets pick from, and what the manifest says. */
export interface ServedSite {
  factory: EnvFactory;
  tasks: () => readonly Task[];
  /** Any task the site knows, by id (with its instruction where known); undefined when it has none such. */
  taskById: (id: string) => Task | undefined;
  profile: SiteProfile;
  /** Browser contexts open now (leak checks). */
  openContexts?: () => number;
  browserVersion?: string | undefined;
  manifest: Record<string, unknown>;
  close(): Promise<void>;
}

export interface OpenServedSiteOptions {
  site: SiteDefinition;
  local?: ((seed: number) => Promise<LocalSite>) | undefined;
  siteFlags: SiteFlagValues;
  seed: number;
  split: Split;
  maxSteps?: number | undefined;
  stepTimeoutMs: number;
  browser: BrowserChoice;
  /** Fresh contexts kept ready for real resets. */
  warmContexts: number;
  logger: Logger;
}

/**
 * Opens a site for `serve` (and tests and soaks that serve one): the local copy or the user's, one
 * env per session over one browser whose contexts come warm from a pool, launched before the
 * first client arrives.
 */
export const openServedSite = async (options: OpenServedSiteOptions): Promise<ServedSite> => {
  const resources = new Resources(options.logger);
  try {
    const prepared = await prepareSite({ site: options.site, local: options.local, siteFlags: options.siteFlags, seed: options.seed, maxSteps: options.maxSteps, real: true });
    const opened = await openPreparedSite(prepared, { browser: options.browser, contexts: { kind: 'pool', warm: options.warmContexts }, stepTimeoutMs: options.stepTimeoutMs, logger: options.logger }, resources);
    const tasks = prepared.facts.tasks.split(options.split);
    return {
      factory: opened.factory,
      tasks: () => tasks,
      taskById: siteTaskById(prepared.facts.tasks),
      profile: prepared.profile,
      ...(opened.openContexts ? { openContexts: opened.openContexts } : {}),
      browserVersion: opened.browserVersion,
      manifest: { profile_version: prepared.profile.version, ...opened.manifest, split: options.split },
      close: () => resources.close(),
    };
  } catch (error) {
    await resources.close();
    throw error;
  }
};
