import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ConfigInvalidError } from '../../src/env/errors.js';
import type { EnvName, Task } from '../../src/protocol/index.js';

const taskLineSchema = z.object({ task_id: z.union([z.string().min(1), z.number().int()]), instruction: z.string().min(1) }).loose();

/** `--task-file FILE`: JSONL of `{task_id, instruction}`; a bad line is an error naming file and line. */
export const readTaskFile = async (file: string, env: EnvName): Promise<Task[]> => {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigInvalidError(`--task-file ${file}: ${(error as Error).message}`);
  }
  const tasks: Task[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch {
      throw new ConfigInvalidError(`--task-file ${file}:${i + 1}: not JSON`);
    }
    const parsed = taskLineSchema.safeParse(data);
    if (!parsed.success) throw new ConfigInvalidError(`--task-file ${file}:${i + 1}: expected {"task_id": …, "instruction": "…"}: ${z.prettifyError(parsed.error)}`);
    tasks.push({ task_id: String(parsed.data.task_id), env, instruction: parsed.data.instruction });
  });
  if (tasks.length === 0) throw new ConfigInvalidError(`--task-file ${file}: no tasks`);
  return tasks;
};

/**
 * The run's plan: `episodes` slots, each task repeated `group` times in a row (GRPO-style group
 * rollouts), cycling through the tasks when there are more slots than task groups.
 */
export const planSlots = (tasks: readonly Task[], episodes: number, group: number): Task[] => {
  if (tasks.length === 0) throw new ConfigInvalidError('no tasks to run');
  return Array.from({ length: episodes }, (_, slot) => tasks[Math.floor(slot / group) % tasks.length] as Task);
};
