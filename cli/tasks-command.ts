import { Command } from 'commander';

/** Command definitions stay light; validation loads only when the command runs. */
const runTasksValidate = async (file: string): Promise<void> => (await import('./tasks-validate-run.js')).runTasksValidate(file);

export const tasksCommand = (): Command => {
  const tasks = new Command('tasks').description('work with WebArena task configs');
  tasks
    .command('validate')
    .description("check a WebArena config file (e.g. test.raw.json) and print counts by site, eval types and reference answer kinds")
    .argument('<file>', 'a JSON task or list of tasks')
    .action(runTasksValidate);
  return tasks;
};
