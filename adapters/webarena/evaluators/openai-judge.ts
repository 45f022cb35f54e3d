import { APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { JudgeFailedError } from '../../../src/env/errors.js';
import type { Judge } from './judge.js';
import { createOpenAIRoleClient, type OpenAIEndpointOptions } from '../../../src/llm/openai-client.js';

export interface OpenAIJudgeOptions extends OpenAIEndpointOptions {
  /** Model name as the endpoint knows it (e.g. `gpt-4o`, or a vLLM-served model). */
  model: string;
}

/**
 * A judge on any OpenAI-compatible chat endpoint (OpenAI, vLLM, SGLang, Ollama), asked at
 * temperature 0 as WebArena does. Failures to get a reply throw JUDGE_FAILED; an aborted
 * signal rethrows the abort.
 */
export const createOpenAIJudge = (options: OpenAIJudgeOptions): Judge => {
  const { client, name, timeoutMs: defaultTimeout } = createOpenAIRoleClient({ ...options, role: 'judge' });
  return {
    name,
    async ask(prompt, askOptions = {}) {
      const timeoutMs = askOptions.timeoutMs ?? defaultTimeout;
      try {
        const completion = await client.chat.completions.create(
          { model: options.model, temperature: 0, messages: [{ role: 'system', content: 'You are a careful, impartial grader.' }, { role: 'user', content: prompt }] },
          { timeout: timeoutMs, ...(askOptions.signal === undefined ? {} : { signal: askOptions.signal }) },
        );
        const content = completion.choices[0]?.message.content;
        if (typeof content !== 'string') throw new JudgeFailedError(name, 'the reply has no message content');
        return content;
      } catch (error) {
        if (error instanceof JudgeFailedError) throw error;
        if (error instanceof APIUserAbortError && askOptions.signal?.aborted) throw askOptions.signal.reason ?? error;
        if (error instanceof APIConnectionTimeoutError) throw new JudgeFailedError(name, `no reply within ${timeoutMs} ms`, error);
        if (error instanceof APIError) {
          throw new JudgeFailedError(name, `${error.status === undefined ? 'request failed' : `HTTP ${error.status}`}: ${error.message}`, error);
        }
        throw new JudgeFailedError(name, (error as Error).message, error);
      }
    },
  };
};
