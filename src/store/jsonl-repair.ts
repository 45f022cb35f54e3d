import { open } from 'node:fs/promises';
import type { z } from 'zod';
import { hasCode } from '../env/code-of.js';
import { isValidJsonlLine } from './jsonl-reader.js';

const isMissing = (error: unknown): boolean => hasCode(error, 'ENOENT');

/** What `repairJsonlTail` did to a file. */
export type JsonlRepair = 'none' | 'missing' | 'newline-added' | 'torn-line-removed';

/**
 * Makes a JSONL file safe to append to after a crash: a last line without its newline is kept
 * (newline added) when it is a valid line, and cut off otherwise. Lines before it are untouched.
 */
export const repairJsonlTail = async <T>(path: string, schema: z.ZodType<T>): Promise<JsonlRepair> => {
  let handle;
  try {
    handle = await open(path, 'r+');
  } catch (error) {
    if (isMissing(error)) return 'missing';
    throw error;
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return 'none';
    const content = await handle.readFile();
    if (content[size - 1] === 0x0a) return 'none';
    const start = content.lastIndexOf(0x0a) + 1;
    const torn = content.subarray(start).toString('utf8');
    if (isValidJsonlLine(torn, schema)) {
      await handle.write('\n', size);
      return 'newline-added';
    }
    await handle.truncate(start);
    return 'torn-line-removed';
  } finally {
    await handle.close();
  }
};
