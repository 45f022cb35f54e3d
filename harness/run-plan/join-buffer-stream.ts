import type { Logger } from 'pino';
import { maskPassword } from '../../src/budget/redis-location.js';
import type { Transition } from '../../src/protocol/index.js';
import type { BufferStream } from '../../src/replay/buffer-stream.js';

/** Options of `joinBufferStream`. */
export interface JoinBufferStreamOptions {
  /** `redis://[user:password@]host:port[/db]#STREAM` (`--buffer-stream`). */
  location: string;
  /** Where what the other processes appended goes (the replay buffer; absent when nothing dreams). */
  record?: ((t: Transition) => void) | undefined;
  /** The replay-buffer cap, also the stream's approximate length. Default: the stream's default. */
  bufferMax?: number | undefined;
  logger: Logger;
}

/**
 * Joins the fleet's shared buffer stream for a run or a server: reads it from the start (a late
 * starter catches up before its first episode), then tails it; what others append enters this
 * process's replay buffer, which keeps its cap and eviction order. A failed append or read is
 * logged, never fatal: the run directory, not the stream, is the record.
 */
export const joinBufferStream = async (options: JoinBufferStreamOptions): Promise<BufferStream> => {
  // Loaded only when asked for: runs without a stream never load the Redis client.
  const { openBufferStream } = await import('../../src/replay/buffer-stream.js');
  const { location, logger } = options;
  const stream = await openBufferStream({
    location,
    ...(options.bufferMax === undefined ? {} : { maxLen: options.bufferMax }),
    onTransition: (t) => options.record?.(t),
    onError: (error, what) => logger.warn({ err: error }, `buffer stream ${maskPassword(location)}: ${what} failed (the run directory still has every transition)`),
  });
  logger.info({ stream: stream.display, caught_up: stream.received }, 'joined the shared buffer stream');
  return stream;
};

/** A runner's `onTransition`: into this process's buffer at once, and out to the fleet's stream. */
export const recordAndPublish =
  (record: ((t: Transition) => void) | undefined, stream: BufferStream | undefined) =>
  (t: Transition): void => {
    record?.(t);
    // Fire and forget: publish never rejects (failures are reported through onError) and a step must not wait on Redis.
    if (stream) void stream.publish(t);
  };
