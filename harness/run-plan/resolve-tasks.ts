import { ConfigInvalidError } from '../../src/env/errors.js';
import type { SiteFacts } from '../../src/env/site-definition.js';
import type { EnvName, Split, Task } from '../../src/protocol/index.js';
import { readTaskFile } from './run-tasks.js';

export interface TaskSelection {
  env: EnvName;
  facts: SiteFacts;
  taskFile?: string | undefined;
  taskIds?: readonly string[] | undefined;
  split: Split;
  /** The site named on the command line (`--fixture`, `--url`, `--configs`): its tasks come first. */
  siteNamed: boolean;
  /** Tasks the replay buffer recorded (with their instructions). */
  recorded: () => readonly Task[];
}

/**
 * The run's tasks: a task file, explicit ids, the site's split, or the tasks recorded in the buffer.
 * Instructions the site does not know are taken from the buffer when it recorded them.
 */
export const resolveTasks = async (selection: TaskSelection): Promise<Task[]> => {
  if (selection.taskFile) return readTaskFile(selection.taskFile, selection.env);
  const recorded = new Map(selection.recorded().map((t) => [t.task_id, t.instruction]));
  const withRecorded = (t: Task): Task => {
    const instruction = t.instruction ?? recorded.get(t.task_id);
    return instruction === undefined ? t : { ...t, instruction };
  };
  if (selection.taskIds) return selection.taskIds.map((id) => withRecorded(selection.facts.tasks.byId(id, '--goals')));
  if (selection.siteNamed) {
    const tasks = selection.facts.tasks.split(selection.split);
    if (tasks.length === 0) throw new ConfigInvalidError(`the ${selection.split} split of the site is empty`);
    return tasks.map(withRecorded);
  }
  const tasks = [...selection.recorded()];
  if (tasks.length === 0) throw new ConfigInvalidError("no tasks: give --fixture (the site's goals), --task-file FILE, or a --buffer with recorded episodes");
  return tasks;
};
