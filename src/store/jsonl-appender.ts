import { open, type FileHandle } from 'node:fs/promises';
import { EnvClosedError } from '../env/errors.js';

/** Options of `JsonlAppender.open`. */
export interface JsonlAppenderOptions {
  /** fdatasync after every line, so a resolved append survives a power loss. Default: false. */
  fsync?: boolean;
}

/**
 * Appends JSON lines to one file, one at a time and in call order. `append` resolves only once
 * the whole line is written (and fdatasync'd with `fsync`), so a crash loses at most the line in
 * flight, which readers then ignore as a truncated last line. After an I/O error the appender
 * refuses further lines: appending after a partial write would glue two lines together.
 */
export class JsonlAppender {
  readonly path: string;
  private readonly handle: FileHandle;
  private readonly fsync: boolean;
  private tail: Promise<void> = Promise.resolve();
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
    const bytes = Buffer.from(`${JSON.stringify(value)}\n`, 'utf8');
    const run = this.tail.then(() => this.write(bytes));
    this.tail = run.catch(() => undefined);
    return run;
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
