import { Redis } from 'ioredis';
import { LedgerUnavailableError } from '../env/errors.js';
import type { RedisLocation } from './redis-location.js';

/** A client that fails fast: no offline queue, no retried commands, a timeout on each (so a lost Redis is LEDGER_UNAVAILABLE, not a hang). */
export const connectRedis = async (location: RedisLocation, timeoutMs: number, what: string): Promise<Redis> => {
  const client = new Redis(location.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: timeoutMs,
    connectTimeout: timeoutMs,
    enableAutoPipelining: true,
    // Reconnect in the background after a loss (calls fail meanwhile), backing off to 1 s.
    retryStrategy: (times) => Math.min(times * 100, 1000),
  });
  // Errors surface on the calls; without a listener ioredis would print each reconnect failure.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw new LedgerUnavailableError(`${what} ${location.display}: cannot connect to Redis (${error instanceof Error ? error.message : String(error)})`, {
      cause: error,
      details: { path: location.display },
    });
  }
  return client;
};
