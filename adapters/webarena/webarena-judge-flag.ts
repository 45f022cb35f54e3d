import type { Judge } from './evaluators/judge.js';
import { createOpenAIJudge } from './evaluators/openai-judge.js';
import { requireOpenAIModel } from '../../src/llm/openai-model-flag.js';

export interface JudgeFlags {
  judge?: string;
  judgeBaseUrl?: string;
  judgeTimeout?: number;
}

/** `--judge openai:NAME` (+ `--judge-base-url`); none means the labelled exact-match fallback. */
export const judgeFromFlags = (flags: JudgeFlags): Judge | undefined => {
  if (flags.judge === undefined) return undefined;
  return createOpenAIJudge({
    model: requireOpenAIModel('--judge', flags.judge),
    ...(flags.judgeTimeout === undefined ? {} : { timeoutMs: flags.judgeTimeout }),
    ...(flags.judgeBaseUrl === undefined ? {} : { baseURL: flags.judgeBaseUrl }),
  });
};
