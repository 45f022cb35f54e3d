import { APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { ModelRequestFailedError } from '../env/errors.js';
import type { OpenAIRoleClient } from './openai-client.js';
import { completionTokenUsage, type TokenUsage } from './token-usage.js';

export type ChatMessage = ChatCompletionMessageParam;

/** One chat completion request of a role. */
export interface ChatCompletionRequest {
  messages: ChatMessage[];
  temperature?: number;
  /** Sent as `max_tokens` (what vLLM, SGLang, Ollama and OpenAI's chat models all accept). */
  maxTokens?: number;
  /** Choices asked for in one request (`n`; vLLM, SGLang and OpenAI honour it, some servers answer one). Default 1 (not sent). */
  n?: number;
}

/** One choice of a reply. */
export interface ChatChoice {
  content: string;
  finishReason: string | undefined;
}

export interface ChatCompletionReply {
  /** The first choice's assistant text ("" when the endpoint sent none). */
  content: string;
  finishReason: string | undefined;
  /** Every choice the endpoint sent, in index order (at least the first; fewer than `n` when it ignored `n`). */
  choices: ChatChoice[];
  /** The request's usage: the prompt once, every choice's completion. */
  usage: TokenUsage;
}

/**
 * Asks the role's endpoint once (the client retries connection errors, 429 and 5xx itself).
 * Failures throw MODEL_REQUEST_FAILED with the HTTP status when there is one; when `signal` has
 * aborted, its reason is thrown instead (STEP_TIMEOUT from `withDeadline`, or the caller's).
 */
export const requestChatCompletion = async (
  role: OpenAIRoleClient,
  request: ChatCompletionRequest,
  signal?: AbortSignal,
): Promise<ChatCompletionReply> => {
  try {
    const completion = await role.client.chat.completions.create(
      {
        model: role.model,
        messages: request.messages,
        ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
        ...(request.maxTokens === undefined ? {} : { max_tokens: request.maxTokens }),
        ...(request.n === undefined || request.n === 1 ? {} : { n: request.n }),
      },
      { timeout: role.timeoutMs, ...(signal === undefined ? {} : { signal }) },
    );
    const choices: ChatChoice[] = [...completion.choices]
      .sort((a, b) => a.index - b.index)
      .map((choice) => ({ content: choice.message.content ?? '', finishReason: choice.finish_reason ?? undefined }));
    const first = choices[0] ?? { content: '', finishReason: undefined };
    return { content: first.content, finishReason: first.finishReason, choices: choices.length > 0 ? choices : [first], usage: completionTokenUsage(completion.usage) };
  } catch (error) {
    if (signal?.aborted) throw signal.reason as Error;
    const details = { model: role.name };
    if (error instanceof APIUserAbortError) throw error;
    if (error instanceof APIConnectionTimeoutError) {
      throw new ModelRequestFailedError(`${role.name}: no reply within ${role.timeoutMs} ms (after the client's retries)`, {
        cause: error,
        details: { ...details, timeoutMs: role.timeoutMs },
      });
    }
    if (error instanceof APIError && error.status !== undefined) {
      throw new ModelRequestFailedError(`${role.name}: HTTP ${error.status}: ${error.message}`, { cause: error, details: { ...details, status: error.status } });
    }
    // Connection refused, a body that is not JSON, …
    throw new ModelRequestFailedError(`${role.name}: ${(error as Error).message}`, { cause: error, details });
  }
};
