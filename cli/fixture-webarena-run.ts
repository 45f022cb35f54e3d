import { fileURLToPath } from 'node:url';
import { startWebArenaFixture } from '../fixtures/webarena/server.js';
import { createLogger } from './logger.js';
import { onShutdown } from './shutdown.js';

export interface WebArenaFixtureFlags {
  port: number;
  host: string;
}

/** Serves the WebArena-style sites until SIGINT/SIGTERM, printing how to reach them. */
export const runWebArenaFixture = async (flags: WebArenaFixtureFlags): Promise<void> => {
  const logger = createLogger('fixture-webarena');
  const running = await startWebArenaFixture({ port: flags.port, host: flags.host, logger });
  const sites = running.sitesFor('<namespace>');
  console.log('WebArena-style fixture: shopping_admin and reddit, state per namespace (a fresh copy per namespace, reset with POST /ns/<namespace>/__reset)');
  for (const [site, url] of Object.entries(sites)) {
    const creds = running.credentials[site as keyof typeof running.credentials];
    console.log(`  ${site}: ${url}  (login ${creds.username} / ${creds.password} at ${creds.loginPath})`);
  }
  console.log(`  tasks: ${fileURLToPath(new URL('../fixtures/webarena/tasks.json', import.meta.url))}`);
  console.log(`WebArena fixture listening on ${running.url}`);
  onShutdown(async (signal) => {
    logger.info({ signal }, 'shutting down');
    await running.close();
  });
};
