import { open, type FileHandle } from 'node:fs/promises';
import { EnvClosedError } from '../env/errors.js';

/** Options of `JsonlAppender.open`. */
export interface JsonlAppenderOptions {
  /** fdatasync after every line, so a resolved append survives a power loss. Default: false. */
  fsync?: boolean;
}

/**
 * Appends JSON lines to one file in call order. `append` resolves only once the whole line is
 * written (and fdatasync'd with `fsync`), so a crash loses at most the lines in flight, which
 * readers then ignore as a truncated last line. Lines appended while a write is in flight go out
 * together in the next write (one syscall for many concurrent episodes' lines, same order, same
 * guarantee). After an I/O error the appender refuses further lines: appending after a partial
 * write would glue two lines together.
 */
export class JsonlAppender {
  readonly path: string;
  private readonly handle: FileHandle;
  private readonly fsync: boolean;
  private tail: Promise<void> = Promise.resolve();
  /** Lines waiting for the next write, and the promise that write settles. */
  private pending: { lines: string[]; done: Promise<void> } | undefined;
  private failure: unknown = undefined;
  private closed = false;

  private constructor(path: string, handle: FileHandle, fsync: boolean) {
    this.path = path;
    this.handle = handle;
    this.fsync = fsync;
  }

  /** Opens (creating if missing) `path` for appending. */
  static async open(path: string, options: JsonlAppenderOptions = {}): Promise<JsonlAppender> {
    return new JsonlAppender(path, await open(path, 'a'), options.fsync ?? false);
  }

  /** Appends `JSON.stringify(value)` and a newline. */
  append(value: unknown): Promise<void> {
    if (this.closed) return Promise.reject(new EnvClosedError(`appender of ${this.path}`));
    const line = `${JSON.stringify(value)}\n`;
    if (this.pending) {
      this.pending.lines.push(line);
      return this.pending.done;
    }
    const batch: { lines: string[]; done: Promise<void> } = { lines: [line], done: Promise.resolve() };
    batch.done = this.tail.then(() => {
      // From here on, new lines start the next batch.
      if (this.pending === batch) this.pending = undefined;
      return this.write(Buffer.from(batch.lines.join(''), 'utf8'));
    });
    this.pending = batch;
    this.tail = batch.done.catch(() => undefined);
    return batch.done;
  }

  /** Resolves when every line appended so far has been written (or has failed). */
  whenIdle(): Promise<void> {
    return this.tail;
  }

  /** Waits for pending lines, then closes the file. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tail;
    await this.handle.close();
  }

  private async write(bytes: Buffer): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    try {
      let offset = 0;
      while (offset < bytes.length) {
        const { bytesWritten } = await this.handle.write(bytes, offset, bytes.length - offset, null);
        offset += bytesWritten;
      }
      if (this.fsync) await this.handle.datasync();
    } catch (error) {
      this.failure = error;
      throw error;
    }
  }
}
