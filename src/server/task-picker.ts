import { ValidationError } from '../env/errors.js';
import type { EnvName, Task } from '../protocol/index.js';

/** What a reset asks for. */
export interface TaskRequest {
  task_id?: string | number | undefined;
  seed?: number | undefined;
  instruction?: string | undefined;
}

export interface TaskPickerOptions {
  env: EnvName;
  /** The tasks of this mode, in order (a split of the site's goals, or the dream task set). */
  tasks: () => readonly Task[];
  /**
   * Whether a task id outside `tasks` may be used as it is: true for real sites (they know all
   * their goals), false for dreams (the model needs the task's instruction).
   */
  openWorld: boolean;
  /**
   * The site's own tasks by id (its goals' instructions from the fixture, a catalogue or task
   * configs): a dream reset may name any task the site knows, not only those of `tasks`.
   */
  lookup?: ((id: string) => Task | undefined) | undefined;
}

/**
 * Chooses the task of a reset: the one named by `task_id`; else the `seed`-th (mod the count,
 * so the same seed gives the same task); else the next in turn.
 */
export class TaskPicker {
  private next = 0;

  constructor(private readonly options: TaskPickerOptions) {}

  pick(request: TaskRequest): Task {
    const tasks = this.options.tasks();
    const withInstruction = (task: Task): Task => (request.instruction === undefined ? task : { ...task, instruction: request.instruction });
    if (request.task_id !== undefined) {
      const id = String(request.task_id);
      const known = tasks.find((t) => t.task_id === id);
      if (known) return withInstruction(known);
      if (this.options.openWorld || request.instruction !== undefined) return withInstruction({ task_id: id, env: this.options.env });
      const site = this.options.lookup?.(id);
      if (site?.instruction !== undefined) return site;
      const why = this.options.lookup ? (site ? 'the site does not know its instruction' : 'the site has no such task') : 'the site\'s tasks are not known here';
      throw new ValidationError(`no task ${id} for a dream: it is not in the dream task set (${tasks.length} tasks, e.g. ${tasks.slice(0, 3).map((t) => t.task_id).join(', ') || 'none'}) and ${why}; give a known task, or an instruction with it`, {
        details: { errors: [{ loc: ['task_id'], msg: `unknown dream task ${id}`, type: 'value_error' }] },
      });
    }
    if (tasks.length === 0) {
      throw new ValidationError('this server has no task list for this mode: give task_id', {
        details: { errors: [{ loc: ['task_id'], msg: 'task_id is required', type: 'missing' }] },
      });
    }
    const index = request.seed !== undefined ? request.seed % tasks.length : this.next++ % tasks.length;
    return withInstruction(tasks[index] as Task);
  }
}
