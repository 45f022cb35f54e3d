import { requestChatCompletion, type ChatMessage } from '../../src/llm/chat-completion.js';
import type { ConcurrencyLimiter } from '../../src/llm/concurrency-limiter.js';
import type { OpenAIRoleClient } from '../../src/llm/openai-client.js';
import { addTokenUsage, emptyTokenUsage, type TokenUsage } from '../../src/llm/token-usage.js';
import type { CheckedAnswer } from './teacher-answer.js';

/** How the teacher is asked (`--temperature`, `--max-tokens`, `--max-reasks`). */
export interface TeacherSettings {
  role: OpenAIRoleClient;
  limiter: ConcurrencyLimiter;
  temperature: number;
  maxTokens: number;
  /** Further asks after a refused answer. */
  maxReasks: number;
}

export interface TeacherOutcome {
  status: 'ok' | 'failed';
  /** The checked text inside the tag; null when every answer was refused. */
  annotation: string | null;
  /** Every answer, in order. */
  raw: string[];
  attempts: number;
  usage: TokenUsage;
  /** Why the last answer was refused. */
  error?: string;
}

/**
 * Asks the teacher one item: the first answer that passes `check` is the annotation; a refused
 * answer is shown back with the reason (a plain resend tends to repeat the mistake), up to
 * `maxReasks` times, then the item fails with every raw answer. Request failures (after the
 * client's retries) and aborts throw: no answer is no line, so `--resume` asks again.
 */
export const askTeacher = async (
  settings: TeacherSettings,
  messages: readonly ChatMessage[],
  check: (raw: string) => CheckedAnswer,
  reask: (reason: string) => string,
  signal?: AbortSignal,
): Promise<TeacherOutcome> => {
  const conversation = [...messages];
  const raw: string[] = [];
  let usage = emptyTokenUsage();
  let reason = '';
  for (let attempt = 0; attempt <= settings.maxReasks; attempt += 1) {
    const reply = await settings.limiter.run(
      () => requestChatCompletion(settings.role, { messages: conversation, temperature: settings.temperature, maxTokens: settings.maxTokens }, signal),
      signal,
    );
    usage = addTokenUsage(usage, reply.usage);
    raw.push(reply.content);
    const checked = check(reply.content);
    if (checked.ok) return { status: 'ok', annotation: checked.text, raw, attempts: raw.length, usage };
    reason = reply.finishReason === 'length' ? `${checked.reason} (the answer was cut at max tokens)` : checked.reason;
    conversation.push({ role: 'assistant', content: reply.content }, { role: 'user', content: reask(reason) });
  }
  return { status: 'failed', annotation: null, raw, attempts: raw.length, usage, error: reason };
};
