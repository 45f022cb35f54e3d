import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { z } from 'zod';
import { hasCode } from '../env/code-of.js';
import { RunFileCorruptError } from '../env/errors.js';

const isMissing = (error: unknown): boolean => hasCode(error, 'ENOENT');

type LineCheck<T> = { ok: true; value: T } | { ok: false; problem: string };

const checkLine = <T>(line: string, schema: z.ZodType<T>): LineCheck<T> => {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    return { ok: false, problem: `not JSON (${(error as Error).message})` };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, problem: `does not match the schema: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : parsed.error.message}` };
};

/**
 * Reads a JSONL file of `schema` lines. A missing file reads as empty. An invalid *last* line is
 * what a crash mid-write leaves behind (a partial line, or zeros on some file systems) and is
 * ignored; an invalid line anywhere else is a `RunFileCorruptError` naming file and line.
 */
export const readJsonl = async <T>(path: string, schema: z.ZodType<T>): Promise<T[]> => {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const values: T[] = [];
  lines.forEach((line, index) => {
    const last = index === lines.length - 1;
    if (line.trim() === '' && !last) throw new RunFileCorruptError(basename(path), index + 1, 'empty line');
    const checked = checkLine(line, schema);
    if (checked.ok) values.push(checked.value);
    else if (!last) throw new RunFileCorruptError(basename(path), index + 1, checked.problem);
  });
  return values;
};

/** Whether a JSONL line (without its newline) is valid for `schema`; used to repair a torn tail. */
export const isValidJsonlLine = <T>(line: string, schema: z.ZodType<T>): boolean => checkLine(line, schema).ok;
