import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { webShopSite } from '../../adapters/webshop/webshop-site-definition.js';
import { openServedSite, type ServedSite } from '../../harness/run-plan/served-site.js';
import { startEnvServer, type EnvServerOptions, type RunningEnvServer } from '../../src/server/env-server.js';
import { createRunId, openRunDirectory, type RunDirectory } from '../../src/store/index.js';
import { startFixture, type FixtureHandle } from './webshop-fixture.js';

/** The local WebShop and a real source over it (one Chromium, warm contexts, open-context count). */
export const openRealWebShop = async (options: { warmContexts?: number } = {}): Promise<{ fixture: FixtureHandle; source: ServedSite; close(): Promise<void> }> => {
  const fixture = await startFixture();
  const source = await openServedSite({
    site: webShopSite,
    siteFlags: { url: fixture.url, goalCount: fixture.site.goals.length, observation: 'text' },
    seed: 0,
    split: 'train',
    stepTimeoutMs: 30_000,
    browser: {},
    warmContexts: options.warmContexts ?? 1,
    logger: pino({ level: 'silent' }),
  });
  return {
    fixture,
    source,
    close: async () => {
      await source.close();
      await fixture.running.close();
    },
  };
};

/** A server over a real source (and whatever else `options` adds), its run directory in a temp dir. */
export const startRealServer = async (
  source: ServedSite,
  options: Partial<EnvServerOptions> = {},
): Promise<{ server: RunningEnvServer; runDir: RunDirectory; stop(): Promise<void> }> => {
  const dir = await mkdtemp(join(tmpdir(), 'dreambridge-real-server-'));
  const runDir = await openRunDirectory(dir);
  const server = await startEnvServer({
    envName: 'webshop',
    real: { factory: source.factory, tasks: source.tasks },
    profile: source.profile,
    runDir,
    runId: createRunId(),
    ...options,
  });
  return {
    server,
    runDir,
    stop: async () => {
      await server.close();
      await runDir.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
};

/** The first product of a results page's clickables (after the navigation buttons). */
export const firstProduct = (clickables: readonly string[]): string | undefined => clickables.find((c) => /^b0/i.test(c));

/** Keywords of an instruction a search would use (what the heuristic policy does, roughly). */
export const searchFor = (instruction: string): string =>
  `search[${instruction.replace(/^find me /i, '').split(/,| with | and | price /)[0]!.trim().slice(0, 60)}]`;
