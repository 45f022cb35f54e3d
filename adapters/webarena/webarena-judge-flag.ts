import type { Judge } from './evaluators/judge.js';
import { createOpenAIJudge } from './evaluators/openai-judge.js';
import { ConfigInvalidError } from '../../src/env/errors.js';

export interface JudgeFlags {
  judge?: string;
  judgeBaseUrl?: string;
  judgeTimeout?: number;
}

/** `--judge openai:NAME` (+ `--judge-base-url`); none means the labelled exact-match fallback. */
export const judgeFromFlags = (flags: JudgeFlags): Judge | undefined => {
  if (flags.judge === undefined) return undefined;
  const match = /^openai:(.+)$/.exec(flags.judge);
  if (!match?.[1]) throw new ConfigInvalidError(`--judge ${flags.judge}: expected openai:MODEL (e.g. openai:gpt-4o)`);
  return createOpenAIJudge({
    model: match[1],
    ...(flags.judgeTimeout === undefined ? {} : { timeoutMs: flags.judgeTimeout }),
    ...(flags.judgeBaseUrl === undefined ? {} : { baseURL: flags.judgeBaseUrl }),
  });
};
