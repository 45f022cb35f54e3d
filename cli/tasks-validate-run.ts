import { summarizeTasks, type TaskSummary } from '../adapters/webarena/webarena-task-config.js';
import { readWebArenaTaskFile } from '../adapters/webarena/webarena-task-file.js';

const counts = (record: Record<string, number>): string =>
  Object.entries(record)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');

/** The report `tasks validate` prints: the count first, then one line per breakdown. */
export const formatTaskSummary = (summary: TaskSummary): string => {
  const { none, ...kinds } = summary.byAnswerKind;
  return [
    `${summary.total} task${summary.total === 1 ? '' : 's'} valid`,
    `sites: ${counts(summary.bySite)}`,
    `sites, multi-site tasks counted in each of their sites: ${counts(summary.bySiteIncludingMulti)}`,
    `eval types: ${counts(summary.byEvalTypes)}`,
    `reference answers: ${counts(kinds)}; fuzzy_match "N/A" (unachievable) ${summary.unachievable}; none ${none}`,
  ].join('\n');
};

export const runTasksValidate = (file: string): void => {
  const tasks = readWebArenaTaskFile(file);
  console.log(formatTaskSummary(summarizeTasks(tasks)));
};
