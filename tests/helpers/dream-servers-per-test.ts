import { afterEach } from 'vitest';
import { startDreamServer, type TestServer } from './server-client.js';

/**
 * `start(options)` for a test file: a dream server per call, every one stopped after each test
 * (registers the vitest `afterEach`; call it at the top level of the file).
 */
export const dreamServersPerTest = (): ((options?: Parameters<typeof startDreamServer>[0]) => Promise<TestServer>) => {
  const servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((t) => t.stop()));
  });
  return async (options = {}) => {
    const t = await startDreamServer(options);
    servers.push(t);
    return t;
  };
};
