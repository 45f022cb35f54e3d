import { randomBytes } from 'node:crypto';

/** Options of `createRunId`; defaults: the current time and 2 random bytes. */
export interface RunIdOptions {
  /** Time stamped into the id, in UTC. Default: now. */
  now?: Date;
  /** Four lower-case hex characters that tell apart runs started in the same second. Default: random. */
  suffix?: string;
}

/** The shape of a run id: `run-YYYYMMDD-HHMMSS-xxxx` (UTC time, 4 hex characters). */
export const runIdPattern = /^run-\d{8}-\d{6}-[0-9a-f]{4}$/;

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** A run id like `run-20261122-061500-ab12`: sortable by start time, unique enough per machine. */
export const createRunId = (options: RunIdOptions = {}): string => {
  const now = options.now ?? new Date();
  const suffix = options.suffix ?? randomBytes(2).toString('hex');
  if (!/^[0-9a-f]{4}$/.test(suffix)) throw new RangeError(`run id suffix must be 4 lower-case hex characters, got ${JSON.stringify(suffix)}`);
  const date = `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}`;
  const time = `${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
  return `run-${date}-${time}-${suffix}`;
};
