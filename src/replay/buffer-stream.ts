import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { connectRedis } from '../budget/redis-connection.js';
import { parseRedisLocation } from '../budget/redis-location.js';
import { transitionSchema, type Transition } from '../protocol/index.js';

/** Options of `openBufferStream`. */
export interface BufferStreamOptions {
  /** `redis://[user:password@]host:port[/db]#STREAM` (or `rediss://`). */
  location: string;
  /** Called with every transition another process appended (the catch-up first, then as they come). */
  onTransition: (t: Transition) => void;
  /** Entries kept in the stream (approximate trim, `MAXLEN ~`): no process can hold more than its buffer cap anyway. Default 100_000. */
  maxLen?: number;
  /** Redis commands and the connection fail after this. Default 2000. */
  timeoutMs?: number;
  /** Told about a failed append or read (the stream is shared experience, not the record: the run directory is). */
  onError?: (error: unknown, what: 'publish' | 'read' | 'invalid') => void;
}

/** The fleet's shared stream of served transitions. */
export interface BufferStream {
  /** The stream's location, password masked. */
  readonly display: string;
  /** Appends one of this process's transitions for the others. */
  publish(t: Transition): Promise<void>;
  /** Transitions received from other processes so far. */
  readonly received: number;
  /** Transitions this process appended. */
  readonly published: number;
  /** Stops tailing and disconnects. */
  close(): Promise<void>;
}

export const defaultStreamMaxLen = 100_000;
/** Entries per read: large enough to catch up quickly, small enough not to stall the event loop. */
const readCount = 500;
/** How long one blocking read waits before it is reissued (bounds how long `close` waits). */
const blockMs = 1000;

/** Stream entries as ioredis returns them: [[stream, [[id, [field, value, …]], …]]] or null. */
type ReadReply = Array<[string, Array<[string, string[]]>]> | null;

const fieldOf = (fields: readonly string[], name: string): string | undefined => {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
};

/**
 * Joins the shared buffer stream: every process appends its served transitions (XADD, field
 * `origin` = this process) and tails everyone's with a blocking XREAD on its own connection,
 * skipping its own. It reads from the start of the stream first, so a process that starts late
 * catches up before it serves (`openBufferStream` resolves once it has); the receiver's buffer
 * applies its cap and eviction order as with any append.
 */
export const openBufferStream = async (options: BufferStreamOptions): Promise<BufferStream> => {
  const location = parseRedisLocation(options.location, '--buffer-stream');
  const timeoutMs = options.timeoutMs ?? 2000;
  const maxLen = options.maxLen ?? defaultStreamMaxLen;
  const origin = randomBytes(6).toString('hex');
  const writer = await connectRedis(location, timeoutMs, 'buffer stream');
  let reader: Redis;
  try {
    // A blocking read holds its connection: the reader has its own, with no command timeout.
    reader = writer.duplicate({ commandTimeout: undefined, enableAutoPipelining: false });
    reader.on('error', () => undefined);
    await reader.connect();
  } catch (error) {
    writer.disconnect();
    throw error;
  }
  let closed = false;
  let received = 0;
  let published = 0;
  let lastId = '0';
  const report = options.onError ?? (() => undefined);

  /** Reads one batch after `lastId`; returns how many entries came. */
  const readBatch = async (block: boolean): Promise<number> => {
    const reply = (block
      ? await reader.xread('COUNT', readCount, 'BLOCK', blockMs, 'STREAMS', location.key, lastId)
      : await reader.xread('COUNT', readCount, 'STREAMS', location.key, lastId)) as ReadReply;
    const entries = reply?.[0]?.[1] ?? [];
    for (const [id, fields] of entries) {
      lastId = id;
      if (fieldOf(fields, 'origin') === origin) continue;
      const parsed = transitionSchema.safeParse(JSON.parse(fieldOf(fields, 't') ?? 'null'));
      if (!parsed.success) {
        report(parsed.error, 'invalid');
        continue;
      }
      received += 1;
      options.onTransition(parsed.data);
    }
    return entries.length;
  };

  // Catch up with what the fleet appended before this process started.
  try {
    while ((await readBatch(false)) === readCount);
  } catch (error) {
    reader.disconnect();
    writer.disconnect();
    throw error;
  }

  const tail = (async () => {
    let failing = false;
    while (!closed) {
      try {
        await readBatch(true);
        failing = false;
      } catch (error) {
        if (closed) return;
        // Told once per outage, not at every retry.
        if (!failing) report(error, 'read');
        failing = true;
        // Redis lost: wait, then read on from the last entry seen (nothing is skipped).
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  })();

  return {
    display: location.display,
    publish: async (t) => {
      if (closed) return;
      try {
        await writer.xadd(location.key, 'MAXLEN', '~', maxLen, '*', 'origin', origin, 't', JSON.stringify(t));
        published += 1;
      } catch (error) {
        report(error, 'publish');
      }
    },
    get received() {
      return received;
    },
    get published() {
      return published;
    },
    close: async () => {
      if (closed) return;
      closed = true;
      reader.disconnect();
      await tail;
      await writer.quit().catch(() => writer.disconnect());
    },
  };
};
