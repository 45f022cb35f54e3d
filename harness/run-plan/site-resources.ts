import type { Logger } from 'pino';
import { ConfigInvalidError } from '../../src/env/errors.js';
import type { BrowserChoice, ContextSupply, LocalSite, OpenedSite, SiteDefinition, SiteFacts, SiteFlagValues } from '../../src/env/site-definition.js';
import type { SiteProfile } from '../../src/protocol/index.js';
import type { Resources } from './resources.js';

/** A site made ready for a run or a server: what it knows and its profile; real envs once opened. */
export interface PreparedSite {
  site: SiteDefinition;
  facts: SiteFacts;
  profile: SiteProfile;
  /** The local copy, not started yet (`--fixture`). */
  local?: LocalSite | undefined;
  siteFlags: SiteFlagValues;
}

export interface PrepareSiteOptions {
  site: SiteDefinition;
  local?: ((seed: number) => Promise<LocalSite>) | undefined;
  siteFlags: SiteFlagValues;
  seed: number;
  /** Steps before truncation. Default: the site's. */
  maxSteps?: number | undefined;
  /** Whether real envs will be opened (then a site must be named). */
  real: boolean;
}

/**
 * Reads the site's facts (from its local copy with `--fixture`, else from its flags) and builds its
 * profile. Flags naming two locations, or none for a real run, are CONFIG_INVALID before anything starts.
 */
export const prepareSite = async (options: PrepareSiteOptions): Promise<PreparedSite> => {
  const { site, siteFlags } = options;
  const fixture = siteFlags['fixture'] === true;
  const remote = site.hasRemote(siteFlags);
  if (fixture && remote) throw new ConfigInvalidError(`give ${site.locationHint}, not both`);
  if (fixture && !options.local) throw new ConfigInvalidError(`--fixture: ${site.displayName} has no local copy`);
  if (options.real && !fixture && !remote) throw new ConfigInvalidError(`real ${site.displayName} episodes need a site: give ${site.locationHint}`);
  const local = fixture && options.local ? await options.local(options.seed) : undefined;
  const facts = local?.facts ?? (await site.facts(siteFlags));
  const profile = site.profile(siteFlags, facts, options.maxSteps ?? site.defaults.maxSteps);
  return { site, facts, profile, local, siteFlags };
};

export interface OpenSiteOptions {
  browser: BrowserChoice;
  contexts: ContextSupply;
  stepTimeoutMs: number;
  logger: Logger;
}

/** Starts the local copy when there is one, then opens the site's real envs; both close with `resources`. */
export const openPreparedSite = async (prepared: PreparedSite, options: OpenSiteOptions, resources: Resources): Promise<OpenedSite> => {
  const location = prepared.local ? await prepared.local.start(options.logger) : undefined;
  if (location) resources.add(`the local ${prepared.site.displayName}`, () => location.close());
  const opened = await prepared.site.open({
    flags: prepared.siteFlags,
    facts: prepared.facts,
    local: location,
    profile: prepared.profile,
    stepTimeoutMs: options.stepTimeoutMs,
    browser: options.browser,
    contexts: options.contexts,
    logger: options.logger,
  });
  resources.add(`the ${prepared.site.displayName} browser`, () => opened.close());
  return opened;
};
