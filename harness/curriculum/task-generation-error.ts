import { DreambridgeError } from '../../src/env/errors.js';

export type TaskGenerationProblem = 'invalid-output' | 'request-failed';

/**
 * The task generator gave no usable instruction. Codes reuse the stable set of errors.ts:
 * an unusable reply is MODEL_OUTPUT_UNPARSEABLE, no reply at all (HTTP error, timeout) is TASKGEN_FAILED.
 */
export class TaskGenerationError extends DreambridgeError {
  readonly problem: TaskGenerationProblem;

  constructor(generator: string, problem: TaskGenerationProblem, message: string, options: { cause?: unknown; seedTaskId?: string } = {}) {
    super(problem === 'invalid-output' ? 'MODEL_OUTPUT_UNPARSEABLE' : 'TASKGEN_FAILED', `task generator ${generator}: ${message}`, {
      cause: options.cause,
      details: { generator, problem, ...(options.seedTaskId === undefined ? {} : { seedTaskId: options.seedTaskId }) },
    });
    this.problem = problem;
  }
}
