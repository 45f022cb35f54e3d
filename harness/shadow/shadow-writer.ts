import { join } from 'node:path';
import { shadowLineSchema, type ShadowLine } from '../../src/protocol/index.js';
import { JsonlAppender, repairJsonlTail, runFileNames } from '../../src/store/index.js';

/** Options of `openShadowWriter`. */
export interface ShadowWriterOptions {
  /** fdatasync every line. Default: false. */
  fsync?: boolean;
  /** Appending to an existing run (`--resume`): a torn last line is repaired first. Default: false. */
  resume?: boolean;
}

/** Appends validated lines to a run directory's `shadow.jsonl`. */
export interface ShadowWriter {
  readonly path: string;
  /** Validates (zod) and appends one line; resolves once it is written. */
  write(line: ShadowLine): Promise<void>;
  /** Waits for pending lines and closes the file. Idempotent. */
  close(): Promise<void>;
}

/**
 * Opens `<dir>/shadow.jsonl` for appending (created if missing). The run directory's own API
 * covers transitions and episodes only; shadow lines arrive out of step order, whenever the
 * predictions do, so they get their own appender (same durability rules: whole lines, in call order).
 */
export const openShadowWriter = async (dir: string, options: ShadowWriterOptions = {}): Promise<ShadowWriter> => {
  const path = join(dir, runFileNames.shadow);
  if (options.resume) await repairJsonlTail(path, shadowLineSchema);
  const appender = await JsonlAppender.open(path, { fsync: options.fsync ?? false });
  return {
    path,
    // `write` is handed around as a plain function (createShadower's option): no `this`.
    write: async (line) => {
      await appender.append(shadowLineSchema.parse(line));
    },
    close: () => appender.close(),
  };
};
