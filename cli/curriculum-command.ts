import { Command } from 'commander';
import { numberOption } from './number-option.js';
import { intOption } from './parse-int-option.js';

import type { CurriculumFlags } from './curriculum-run.js';

const curriculumAction = async (flags: CurriculumFlags): Promise<void> => {
  const { runCurriculum } = await import('./curriculum-run.js');
  const result = await runCurriculum(flags);
  console.log(`mode: ${result.mode}`);
  for (const entry of result.log) {
    console.log(`  seed ${entry.seed} (V_τ ${entry.variance.toFixed(3)}): ${entry.generated ? `→ ${entry.generated.task_id}: ${entry.generated.instruction}` : entry.reason}`);
  }
  console.log(`next tasks: ${result.tasks.length} (${result.tasks.filter((t) => t.origin === 'synthetic').length} synthetic, cap ${result.syntheticCap}) → ${flags.out}`);
  console.log(`log: ${result.logPath}`);
};

/** `dreambridge curriculum`: the next iteration's tasks from the rollouts of earlier runs (DreamGym's curriculum). */
export const curriculumCommand = (): Command =>
  new Command('curriculum')
    .description('next tasks from earlier rollouts: rank tasks by group reward variance V_τ, vary the top seeds with a task generator (λ-capped), write a --task-file for run')
    .requiredOption('--runs <dir>', 'run directory whose episodes are ranked (repeatable)', (v: string, all: string[] = []) => [...all, v])
    .option('--task-file <file>', 'current task pool as JSONL {task_id, instruction, origin?, parent?} (default: the tasks the runs recorded)')
    .option('--seeds <n>', 'highest-variance tasks to vary', intOption(1), 4)
    .option('--lambda <l>', 'largest fraction of synthetic tasks in the next list', numberOption(0, 1), 0.5)
    .option('--size <n>', 'length of the next task list (default: the pool\'s)', intOption(1))
    .option('--taskgen <taskgen>', 'task generator, openai:NAME (default: none — the curriculum only reorders, and says so)')
    .option('--taskgen-base-url <url>', 'OpenAI-compatible endpoint of the task generator (default OPENAI_BASE_URL)')
    .requiredOption('--out <file>', 'the next task file (JSONL); the log goes beside it as <file>.log.jsonl')
    .action(curriculumAction);
