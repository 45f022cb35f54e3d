import { closeSync, fstatSync, fsyncSync, ftruncateSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { SyncAdapter } from 'lowdb';
import { hasCode } from '../env/code-of.js';
import { LedgerInvalidError } from '../env/errors.js';
import { parseLedger, type LedgerData } from './ledger-format.js';


/** Directory fsync is not supported everywhere; these codes mean "not here". */
const DIR_FSYNC_UNSUPPORTED = new Set(['EISDIR', 'EPERM', 'EINVAL', 'EBADF']);

const syncDirectory = (directory: string): void => {
  let fd: number | undefined;
  try {
    fd = openSync(directory, 'r');
    fsyncSync(fd);
  } catch (error) {
    if (!hasCode(error, ...DIR_FSYNC_UNSUPPORTED)) throw error;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
};

/**
 * lowdb's synchronous adapter for the ledger file: reads and validates it, and replaces it
 * atomically (a complete new file renamed over the old one), so the file is always valid JSON.
 *
 * Why not lowdb's own JSONFile (steno: write a fresh temporary file, rename it over): on ext4
 * (here, and the Linux default) renaming a freshly written file over an existing one makes the
 * kernel start writeback of the new file's delayed-allocation blocks first (`auto_da_alloc`),
 * which costs 1.3–1.5 ms per write here, more than the whole per-step budget. So temporary files
 * are recycled: before the rename, the current version is hard-linked to the other of two spare
 * names (`.<name>.a`, `.<name>.b`); the next write overwrites that old inode in place and renames
 * it over the ledger. Its blocks are already allocated, so the rename is a plain metadata
 * operation (~20 µs) and a write costs ~80 µs. Atomicity is steno's: the ledger name always
 * points at a complete file, and the live file is never written into (a spare still linked to it
 * is dropped, not reused). A reader that keeps an old version open across two more writes sees
 * it recycled: read the file at once, or under the lock (`snapshot()`). Only used under the
 * ledger lock (the spare names are shared by all writers).
 */
export class LedgerFile implements SyncAdapter<LedgerData | null> {
  private readonly spares: readonly [string, string];
  /** Which spare name the last write left (other processes alternate too: it is only a guess). */
  private guess = 0;

  constructor(
    readonly path: string,
    private readonly options: { fsync: boolean },
  ) {
    const base = join(dirname(path), `.${basename(path)}`);
    this.spares = [`${base}.a`, `${base}.b`];
  }

  /** The ledger, or null when the file does not exist; LEDGER_INVALID when it is not a valid ledger. */
  read(): LedgerData | null {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if (hasCode(error, 'ENOENT')) return null;
      throw new LedgerInvalidError(`ledger ${this.path}: cannot be read (${(error as Error).message})`, {
        cause: error,
        details: { path: this.path },
      });
    }
    return parseLedger(this.path, text);
  }

  /** Replaces the file atomically (null, lowdb's "no data", writes nothing). */
  write(data: LedgerData | null): void {
    if (data === null) return;
    const bytes = Buffer.from(`${JSON.stringify(data, null, 2)}\n`, 'utf8');
    const spare = this.writeSpare(bytes);
    const other = this.spares[1 - spare] as string;
    // Keep the current version's inode under the other spare name: the next write reuses it.
    const kept = this.link(other);
    renameSync(this.spares[spare] as string, this.path);
    this.guess = kept ? 1 - spare : spare;
    if (this.options.fsync) syncDirectory(dirname(this.path));
  }

  /** Writes `bytes` into a spare (recycled when possible); returns its index. */
  private writeSpare(bytes: Buffer): number {
    const { fd, index, size } = this.openSpare();
    try {
      for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset, bytes.length - offset, offset);
      if (size > bytes.length) ftruncateSync(fd, bytes.length);
      if (this.options.fsync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return index;
  }

  private openSpare(): { fd: number; index: number; size: number } {
    for (const index of [this.guess, 1 - this.guess]) {
      const name = this.spares[index] as string;
      let fd: number;
      try {
        fd = openSync(name, 'r+');
      } catch (error) {
        if (hasCode(error, 'ENOENT')) continue;
        throw error;
      }
      const stat = fstatSync(fd);
      if (stat.nlink === 1) return { fd, index, size: stat.size };
      // Still linked elsewhere: it is the ledger itself (a writer crashed between link and
      // rename). Never write into it; drop the extra name.
      closeSync(fd);
      unlinkSync(name);
    }
    return { fd: openSync(this.spares[this.guess] as string, 'w'), index: this.guess, size: 0 };
  }

  /** Hard-links the current ledger to `name`; false when there is no ledger yet. */
  private link(name: string): boolean {
    try {
      linkSync(this.path, name);
      return true;
    } catch (error) {
      if (hasCode(error, 'ENOENT')) return false;
      if (!hasCode(error, 'EEXIST')) throw error;
    }
    // Left by a writer that crashed between link and rename: an old version, drop it.
    unlinkSync(name);
    linkSync(this.path, name);
    return true;
  }
}
