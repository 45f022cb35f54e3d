import { ConfigInvalidError } from '../env/errors.js';

/** Where a Redis-kept ledger or stream lives: `redis://[user:password@]host:port[/db][?lease_ms=N]#KEY` (or `rediss://`). */
export interface RedisLocation {
  /** The connection URL for the client, without the fragment and our own query parameters. */
  url: string;
  /** The key (ledger) or stream name: the URL fragment. */
  key: string;
  /** The URL with the password masked, plus `#KEY`: safe to log and to show as a ledger's `path`. */
  display: string;
  /** `lease_ms` from the query, when given. */
  leaseMs?: number;
}

/** True when a `--ledger` or `--buffer-stream` value names Redis rather than a file. */
export const isRedisUrl = (value: string): boolean => /^rediss?:\/\//i.test(value);

/** Parses a Redis location; CONFIG_INVALID naming the flag when it is not one or lacks `#KEY`. */
export const parseRedisLocation = (value: string, flag: string): RedisLocation => {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigInvalidError(`${flag} ${maskPassword(value)}: not a URL (expected redis://[user:password@]host:port[/db]#KEY)`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new ConfigInvalidError(`${flag} ${maskPassword(value)}: expected a redis:// or rediss:// URL`);
  }
  const key = decodeURIComponent(parsed.hash.replace(/^#/, ''));
  if (key === '') throw new ConfigInvalidError(`${flag} ${maskPassword(value)}: name the key after "#" (e.g. redis://127.0.0.1:6379#dreambridge:budget)`);
  let leaseMs: number | undefined;
  const lease = parsed.searchParams.get('lease_ms');
  if (lease !== null) {
    leaseMs = Number(lease);
    if (!Number.isSafeInteger(leaseMs) || leaseMs < 200) throw new ConfigInvalidError(`${flag}: lease_ms=${lease}: expected an integer of at least 200 (milliseconds)`);
    parsed.searchParams.delete('lease_ms');
  }
  parsed.hash = '';
  const url = parsed.toString();
  return { url, key, display: `${maskPassword(url)}#${key}`, ...(leaseMs === undefined ? {} : { leaseMs }) };
};

/** Replaces the password of a URL by `***` (secrets are never logged). */
export const maskPassword = (value: string): string => value.replace(/^(rediss?:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');
