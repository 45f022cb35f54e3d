import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { openWebShopSource, type RealSource } from '../../cli/serve-webshop.js';
import { startEnvServer, type EnvServerOptions, type RunningEnvServer } from '../../src/server/env-server.js';
import { createRunId, openRunDirectory, type RunDirectory } from '../../src/store/index.js';
import { startFixture, type FixtureHandle } from './webshop-fixture.js';

/** The local WebShop and a real source over it (one Chromium, warm contexts, open-context count). */
export const openRealWebShop = async (options: { warmContexts?: number } = {}): Promise<{ fixture: FixtureHandle; source: RealSource; close(): Promise<void> }> => {
  const fixture = await startFixture();
  const source = await openWebShopSource(
    {
      url: fixture.url,
      seed: 0,
      goalCount: fixture.site.goals.length,
      split: 'train',
      maxSteps: 15,
      stepTimeoutMs: 30_000,
      searchAnywhere: false,
      observation: 'text',
      browser: { kind: 'launch' },
      warmContexts: options.warmContexts ?? 1,
    },
    pino({ level: 'silent' }),
  );
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
  source: RealSource,
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
