import { APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { EnvName } from '../../src/protocol/task.js';
import { TaskGenerationError } from './task-generation-error.js';
import { createOpenAIRoleClient, type OpenAIEndpointOptions } from '../../src/llm/openai-client.js';

/** The task a variation is derived from. */
export interface SeedTask {
  task_id: string;
  instruction: string;
  env: EnvName;
}

export interface GenerateOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** M_task of DreamGym: turns one seed task into a feasible variation on the same site. */
export interface TaskGenerator {
  readonly name: string;
  generate(seed: SeedTask, options?: GenerateOptions): Promise<{ instruction: string }>;
}

/** Default upper bound on a generated instruction; seed instructions are one or two sentences. */
export const DEFAULT_MAX_INSTRUCTION_CHARS = 1000;

/** Case, spacing and trailing punctuation do not make a task new. */
export const normalizeInstruction = (text: string): string =>
  text.toLowerCase().replace(/\s+/g, ' ').trim().replace(/[\s.!?]+$/, '');

/**
 * Checks a model reply and returns the cleaned instruction (trimmed, one pair of wrapping
 * quotes removed). Throws TaskGenerationError('invalid-output') when it is empty, equal to the
 * seed after normalisation, or longer than `maxChars`.
 */
export const validateGeneratedInstruction = (reply: string, seed: SeedTask, generator: string, maxChars = DEFAULT_MAX_INSTRUCTION_CHARS): string => {
  let text = reply.trim();
  const quoted = /^(["'`])([\s\S]*)\1$/.exec(text);
  if (quoted) text = (quoted[2] ?? '').trim();
  const fail = (message: string): never => {
    throw new TaskGenerationError(generator, 'invalid-output', message, { seedTaskId: seed.task_id });
  };
  if (text === '') fail('the reply is empty');
  if (normalizeInstruction(text) === normalizeInstruction(seed.instruction)) fail(`the reply repeats seed task ${seed.task_id}`);
  if (text.length > maxChars) fail(`the reply is ${text.length} characters long (at most ${maxChars})`);
  return text;
};

/** Site-specific hints: what a feasible variation looks like there. */
const envHints: Record<EnvName, string> = {
  webshop:
    'The site is a shopping website. A task names a product to find and buy, with attributes, options (such as size or colour) and a price limit. Pick a different product, or different attributes, options or price, that the same shop plausibly sells.',
  webarena:
    'The site is a realistic web application (shop, admin panel, forum, code host or map). Keep the same website and ask for a different but comparable piece of information or change, using only what that site offers.',
};

export const TASK_GENERATOR_SYSTEM_PROMPT =
  'You write training tasks for a web agent. You receive one task the agent sometimes solves and sometimes fails. ' +
  'Write one new task that changes its goal while staying just as achievable on the same website. ' +
  'Reply with the new task instruction only: one or two sentences, no quotes, no numbering, no explanation.';

/** The user message sent for a seed; exported so tests and logs can show the exact wording. */
export const taskGeneratorPrompt = (seed: SeedTask): string =>
  [
    `Environment: ${seed.env}`,
    envHints[seed.env],
    '',
    'Seed task:',
    seed.instruction,
    '',
    'Requirements for the new task:',
    '- a different goal from the seed task (not a rephrasing of it);',
    '- feasible on the same website, in the same environment, with the same kind of actions;',
    '- about as hard as the seed task: neither trivial nor impossible.',
    '',
    'New task instruction:',
  ].join('\n');

export interface OpenAITaskGeneratorOptions extends OpenAIEndpointOptions {
  /** Model name as the endpoint knows it (`--taskgen openai:NAME`). */
  model: string;
  /** Sampling temperature; above 0 so repeated calls give different variations. Default 0.7. */
  temperature?: number;
  /** Longest accepted instruction. Default DEFAULT_MAX_INSTRUCTION_CHARS. */
  maxChars?: number;
}

/** A task generator on any OpenAI-compatible chat endpoint (OpenAI, vLLM, SGLang, Ollama). */
export const createOpenAITaskGenerator = (options: OpenAITaskGeneratorOptions): TaskGenerator => {
  const { client, name, timeoutMs: defaultTimeout } = createOpenAIRoleClient({ ...options, role: 'taskgen' });
  return {
    name,
    async generate(seed, generateOptions = {}) {
      const timeoutMs = generateOptions.timeoutMs ?? defaultTimeout;
      let content: string | null | undefined;
      try {
        const completion = await client.chat.completions.create(
          {
            model: options.model,
            temperature: options.temperature ?? 0.7,
            messages: [
              { role: 'system', content: TASK_GENERATOR_SYSTEM_PROMPT },
              { role: 'user', content: taskGeneratorPrompt(seed) },
            ],
          },
          { timeout: timeoutMs, ...(generateOptions.signal === undefined ? {} : { signal: generateOptions.signal }) },
        );
        content = completion.choices[0]?.message.content;
      } catch (error) {
        if (error instanceof APIUserAbortError && generateOptions.signal?.aborted) throw generateOptions.signal.reason ?? error;
        const opts = { cause: error, seedTaskId: seed.task_id };
        if (error instanceof APIConnectionTimeoutError) throw new TaskGenerationError(name, 'request-failed', `no reply within ${timeoutMs} ms`, opts);
        if (error instanceof APIError) {
          throw new TaskGenerationError(name, 'request-failed', `${error.status === undefined ? 'request failed' : `HTTP ${error.status}`}: ${error.message}`, opts);
        }
        throw new TaskGenerationError(name, 'request-failed', (error as Error).message, opts);
      }
      return { instruction: validateGeneratedInstruction(content ?? '', seed, name, options.maxChars) };
    },
  };
};
