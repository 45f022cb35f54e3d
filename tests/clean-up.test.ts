import { Writable } from 'node:stream';
import type { BrowserContext } from 'playwright-core';
import { pino, type Logger } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createWebShopProfile } from '../adapters/webshop/webshop-profile.js';
import { expireContext } from '../adapters/browser/context-expiry.js';
import { DreamEnv } from '../src/dream/dream-env.js';
import { cleanUp, setCleanUpLogger } from '../src/env/clean-up.js';
import { EnvClosedError } from '../src/env/errors.js';
import { http, startDreamServer } from './helpers/server-client.js';
import { createToyWebShopModel, DREAM_TASKS } from './helpers/server-dream.js';

/** A pino logger writing JSON lines into `lines` (what stderr would get). */
const capture = (): { lines: Array<Record<string, unknown>>; logger: Logger } => {
  const lines: Array<Record<string, unknown>> = [];
  const logger: Logger = pino({ level: 'debug' }, new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>), done()) }));
  return { lines, logger };
};

afterEach(() => setCleanUpLogger(undefined));

describe('errors while closing resources are logged, never swallowed', () => {
  it('cleanUp logs a failing close at warn with the resource and the error, and does not throw', async () => {
    const { lines, logger } = capture();
    await expect(cleanUp('the ledger', () => Promise.reject(new Error('EIO: disk gone')), logger)).resolves.toBeUndefined();
    await cleanUp('the appender', () => undefined, logger);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, resource: 'the ledger', msg: 'clean-up failed: the ledger', err: { message: 'EIO: disk gone' } });
  });

  it('an adapter without a logger of its own logs to the process logger (here a test one): an expired context whose close throws', async () => {
    const { lines, logger } = capture();
    setCleanUpLogger(logger);
    const context = { pages: () => [], close: () => Promise.reject(new Error('Target closed')) } as unknown as BrowserContext;
    await expireContext(context, new EnvClosedError('browser cluster'));
    expect(lines).toEqual([expect.objectContaining({ level: 40, resource: 'expired browser context', err: expect.objectContaining({ message: 'Target closed' }) })]);
  });

  it('the server logs an env whose close throws when its session closes, and the session still closes', async () => {
    const { lines, logger } = capture();
    const model = createToyWebShopModel();
    const profile = createWebShopProfile();
    const factory = {
      source: 'dream' as const,
      create: () => {
        const env = new DreamEnv({ model, profile });
        env.close = () => Promise.reject(new Error('context already gone'));
        return Promise.resolve(env);
      },
      close: () => Promise.resolve(),
    };
    const t = await startDreamServer({ dream: { factory, tasks: () => DREAM_TASKS }, logger });
    try {
      const reset = await http(`${t.server.url}/reset`, { body: { task_id: '1500', mode: 'dream' } });
      expect(reset.status).toBe(200);
      const sessionId = (reset.body as { observation: { session_id: string } }).observation.session_id;
      expect((await http(`${t.server.url}/close`, { body: { session_id: sessionId } })).status).toBe(200);
      expect(t.server.manager.size).toBe(0);
      const failed = lines.filter((l) => String(l['msg']).startsWith('clean-up failed: dream env of session'));
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({ level: 40, err: { message: 'context already gone' } });
    } finally {
      await t.stop();
    }
  });
});
