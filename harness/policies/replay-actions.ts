import { readFileSync } from 'node:fs';
import { ConfigInvalidError } from '../../src/env/errors.js';
import type { Task } from '../../src/protocol/index.js';

/** Replay actions: a JSON list (every episode plays it) or an object of task id → list. */
export const replayActions = (file: string): ((task: Task) => string[]) => {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigInvalidError(`--actions ${file}: ${(error as Error).message}`);
  }
  const isList = (v: unknown): v is string[] => Array.isArray(v) && v.every((a) => typeof a === 'string');
  if (isList(data)) return () => data;
  if (data && typeof data === 'object' && Object.values(data).every(isList)) {
    const byTask = data as Record<string, string[]>;
    return (task) => {
      const actions = byTask[task.task_id];
      if (!actions) throw new ConfigInvalidError(`--actions ${file} has no actions for task ${task.task_id}`);
      return actions;
    };
  }
  throw new ConfigInvalidError(`--actions ${file}: expected a JSON list of action strings, or an object of task id → list`);
};

