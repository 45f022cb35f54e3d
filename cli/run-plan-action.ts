import type { RunOutcome, RunPlanOptions } from '../harness/run-plan/run-plan.js';
import { runPlanFromFlags, type RunCommandFlags } from './run-plan-flags.js';
import { runTimestamp } from './run-timestamp.js';

/**
 * The action of `collect`, `run` and `fidelity`: the command's fixed flags over the user's, the run
 * plan under SIGINT/SIGTERM, the lines it prints; exit code 130 when interrupted.
 */
export const runPlanAction = async (
  command: RunPlanOptions['command'],
  flags: RunCommandFlags,
  fixed: Partial<RunCommandFlags>,
  print: (outcome: RunOutcome) => string[],
): Promise<void> => {
  const [{ executeRunPlan }, { withInterrupt }, { createLogger }] = await Promise.all([
    import('../harness/run-plan/run-plan.js'),
    import('./interrupt.js'),
    import('./logger.js'),
  ]);
  const logger = createLogger(command);
  const options = runPlanFromFlags(command, { ...flags, ...fixed, out: flags.out ?? `runs/${command}-${runTimestamp()}` });
  const outcome = await withInterrupt(logger, (signal) => executeRunPlan(options, logger, signal));
  for (const line of print(outcome)) console.log(line);
  if (outcome.interrupted) process.exitCode = 130;
};
