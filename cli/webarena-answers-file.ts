import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { codeOf } from '../src/env/code-of.js';
import { AnswersInvalidError, ConfigInvalidError } from '../src/env/errors.js';

/** One line of an answers file: what an agent ended a WebArena task with. */
export interface WebArenaAnswer {
  /** 1-based line in the file, for messages. */
  line: number;
  task_id: number;
  /** The `stop [answer]` argument; "" when the line has none. */
  answer: string;
  /** The page URL at the end; needed by url_match tasks. */
  url?: string;
}

const answerLineSchema = z.looseObject({
  // Numeric strings are accepted: some harnesses write ids as "17".
  task_id: z.union([z.int().nonnegative(), z.string().regex(/^\d+$/).transform(Number)], { error: 'expected a task id (a non-negative integer)' }),
  answer: z.string({ error: 'expected a string' }).optional(),
  url: z.string({ error: 'expected a string' }).optional(),
});

/**
 * Reads a JSONL answers file (`{task_id, answer, url}` per line; blank lines skipped). A line
 * that is not JSON, lacks a task id, has a field of the wrong type or repeats a task is an
 * error naming its line number.
 */
export const readAnswersFile = (file: string): WebArenaAnswer[] => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigInvalidError(`${file}: cannot read: ${codeOf(error) ?? (error as Error).message}`);
  }
  const answers: WebArenaAnswer[] = [];
  const firstLine = new Map<number, number>();
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (error) {
      throw new AnswersInvalidError(file, line, `not valid JSON: ${(error as Error).message}`);
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new AnswersInvalidError(file, line, 'expected an object {task_id, answer, url}');
    const parsed = answerLineSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.') || 'line';
      throw new AnswersInvalidError(file, line, `${field}: ${issue?.message.replace(/^Invalid input: /, '') ?? 'invalid'}`);
    }
    const { task_id: taskId, answer, url } = parsed.data;
    const previous = firstLine.get(taskId);
    if (previous !== undefined) throw new AnswersInvalidError(file, line, `a second answer for task ${taskId} (the first is at line ${previous})`);
    firstLine.set(taskId, line);
    answers.push({ line, task_id: taskId, answer: answer ?? '', ...(url === undefined ? {} : { url }) });
  });
  return answers;
};
