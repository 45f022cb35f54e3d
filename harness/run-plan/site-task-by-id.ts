import { hasCode } from '../../src/env/code-of.js';
import type { SiteTasks } from '../../src/env/site-definition.js';
import type { Task } from '../../src/protocol/index.js';

/** A site's task by id, or undefined when the site has no such task (its CONFIG_INVALID). */
export const siteTaskById =
  (tasks: SiteTasks) =>
  (id: string): Task | undefined => {
    try {
      return tasks.byId(id, 'task_id');
    } catch (error) {
      if (hasCode(error, 'CONFIG_INVALID')) return undefined;
      throw error;
    }
  };
