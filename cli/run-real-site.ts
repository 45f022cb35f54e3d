import type { Logger } from 'pino';
import { createBrowserCluster } from '../adapters/browser/browser-cluster.js';
import { createWebShopEnvFactory } from '../adapters/webshop/webshop-env-factory.js';
import { WEBSHOP_KEY_VERSION, WEBSHOP_PROFILE_VERSION } from '../adapters/webshop/webshop-profile.js';
import { loadReferenceActions } from '../fixtures/webarena/reference-actions.js';
import { startWebShop } from '../fixtures/webshop/server.js';
import type { WebShopSite } from '../fixtures/webshop/webshop-site.js';
import { createOraclePolicy } from '../harness/policies/index.js';
import type { Policy } from '../harness/policy.js';
import type { EnvFactory } from '../src/env/env.js';
import { ConfigInvalidError } from '../src/env/errors.js';
import type { SiteProfile, Task } from '../src/protocol/index.js';
import { browserSource } from './collect-run.js';
import { findId } from './collect-webarena-run.js';
import { judgeFromFlags } from './judge-flag.js';
import { replayActions } from './replay-actions.js';
import type { RunFlags } from './run-flags.js';
import { openWebArenaSource } from './serve-webarena.js';

/** The live site of a run: its env factory, and for WebArena its tasks, profile and oracle. */
export interface RealSite {
  factory: EnvFactory;
  manifest: Record<string, unknown>;
  /** WebArena: the configs' tasks (with their intents as instructions). */
  tasks?: Task[];
  profile?: SiteProfile;
  /** WebArena: the reference-action policy (fixture tasks, or `--actions`). */
  oracle?: (task: Task) => Policy;
  close(): Promise<void>;
}

/** Opens the run's real site: the local or a user's WebShop, or WebArena-style sites. */
export const openRealSite = async (flags: RunFlags, site: WebShopSite | undefined, logger: Logger): Promise<RealSite> => {
  if (flags.env === 'webarena') {
    const source = await openWebArenaSource(
      {
        fixture: flags.fixture,
        configs: flags.configs,
        sites: flags.sites,
        authDir: flags.authDir,
        login: flags.login,
        maxSteps: flags.maxSteps,
        stepTimeoutMs: flags.stepTimeout,
        compact: flags.compact,
        judge: judgeFromFlags(flags),
        browser: browserSource(flags),
        warmContexts: 0,
        // Real rollouts go through the worker cluster, as WebShop's do.
        provider: createBrowserCluster({
          source: browserSource(flags),
          concurrency: flags.realConcurrency ?? flags.concurrency,
          ...(flags.restartBrowserAfter === undefined ? {} : { restartAfter: flags.restartBrowserAfter }),
        }),
      },
      logger,
    );
    const reference = flags.fixture ? loadReferenceActions() : undefined;
    const fromFile = flags.actions ? replayActions(flags.actions) : undefined;
    const oracle = reference || fromFile
      ? (task: Task): Policy => {
          const actions = reference?.[task.task_id] ?? fromFile?.(task);
          if (!actions) throw new ConfigInvalidError(`--policy oracle: no reference sequence for task ${task.task_id}`);
          return createOraclePolicy({ actions, findId });
        }
      : undefined;
    return { factory: source.factory, manifest: source.site, tasks: [...source.tasks()], profile: source.profile, ...(oracle ? { oracle } : {}), close: () => source.close() };
  }
  const fixture = site ? await startWebShop(site, { port: 0, logger }) : undefined;
  try {
    const factory = await createWebShopEnvFactory({
      baseUrl: fixture?.url ?? (flags.url as string),
      browser: browserSource(flags),
      maxSteps: flags.maxSteps,
      timeoutMs: flags.stepTimeout,
      searchAnywhere: flags.searchAnywhere ?? false,
      observationMode: flags.observation,
      realConcurrency: flags.realConcurrency ?? flags.concurrency,
      ...(flags.restartBrowserAfter === undefined ? {} : { restartAfter: flags.restartBrowserAfter }),
    });
    return {
      factory,
      manifest: {
        env: 'webshop',
        profile_version: WEBSHOP_PROFILE_VERSION,
        key_version: WEBSHOP_KEY_VERSION,
        ...(site ? { fixture: { seed: site.seed, products: site.products.length, goals: site.goals.length, catalog_hash: site.catalogHash() } } : { base_url: flags.url }),
      },
      close: async () => {
        await factory.close();
        await fixture?.close();
      },
    };
  } catch (error) {
    await fixture?.close();
    throw error;
  }
};
