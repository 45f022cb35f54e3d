import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { hasCode } from '../env/code-of.js';

/** Options of `writeFileAtomic`. */
export interface AtomicWriteOptions {
  /** fsync the temporary file before the rename and the directory after it. Default: false. */
  fsync?: boolean;
}

/** Directory fsync is not supported everywhere (e.g. Windows); these codes mean "not here". */
const DIR_FSYNC_UNSUPPORTED = new Set(['EISDIR', 'EPERM', 'EINVAL', 'EBADF']);

const syncDirectory = async (directory: string): Promise<void> => {
  let handle;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch (error) {
    if (!hasCode(error, ...DIR_FSYNC_UNSUPPORTED)) throw error;
  } finally {
    await handle?.close();
  }
};

/**
 * Writes `content` to `path` atomically: a temporary file in the same directory, then a rename,
 * so readers see the old file or the new one, never a mix.
 */
export const writeFileAtomic = async (path: string, content: string, options: AtomicWriteOptions = {}): Promise<void> => {
  const temporary = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(content, 'utf8');
      if (options.fsync) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  if (options.fsync) await syncDirectory(dirname(path));
};
