import OpenAI from 'openai';
import { ConfigInvalidError } from '../env/errors.js';
import { nodeHttpFetch } from './node-http-fetch.js';

/**
 * How a role reaches its OpenAI-compatible endpoint; every LLM role's options (judge, task
 * generator, experience model, chat policy) extend these.
 */
export interface OpenAIEndpointOptions {
  /** OpenAI-compatible endpoint ending in /v1 (the role's `--…-base-url`). Default: OPENAI_BASE_URL, else OpenAI's. */
  baseURL?: string;
  /** Default: OPENAI_API_KEY; a local endpoint (baseURL given) may need none. */
  apiKey?: string;
  /** Per-request timeout (each HTTP attempt). Default 60 000 ms. */
  timeoutMs?: number;
  /** Retries on connection errors, 429 and 5xx (the client's backoff). Default 2. */
  maxRetries?: number;
  /** Where OPENAI_* fall-backs are read. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** A ready client (tests, a shared connection pool): used as it is; baseURL, apiKey and maxRetries are then ignored. */
  client?: OpenAI;
}

export interface OpenAIRoleOptions extends OpenAIEndpointOptions {
  /** The role's flag name, for error messages: `judge`, `taskgen`, … */
  role: string;
  /** Model name as the endpoint knows it. */
  model: string;
}

export interface OpenAIRoleClient {
  client: OpenAI;
  /** `openai:<model>`, as outputs label the role. */
  name: string;
  /** The model name as the endpoint knows it. */
  model: string;
  timeoutMs: number;
}

export const DEFAULT_LLM_TIMEOUT_MS = 60_000;

/**
 * One OpenAI client for one role (DESIGN.md's src/llm): the role's own endpoint flag, then
 * OPENAI_BASE_URL / OPENAI_API_KEY; neither is a configuration error naming the flag.
 */
export const createOpenAIRoleClient = (options: OpenAIRoleOptions): OpenAIRoleClient => {
  if (options.client !== undefined) {
    return { client: options.client, name: `openai:${options.model}`, model: options.model, timeoutMs: options.timeoutMs ?? DEFAULT_LLM_TIMEOUT_MS };
  }
  const env = options.env ?? process.env;
  const baseURL = options.baseURL ?? (env.OPENAI_BASE_URL || undefined);
  const apiKey = options.apiKey ?? (env.OPENAI_API_KEY || undefined);
  if (apiKey === undefined && baseURL === undefined) {
    throw new ConfigInvalidError(
      `${options.role} openai:${options.model} needs an endpoint: set OPENAI_API_KEY (OpenAI) or pass --${options.role}-base-url / OPENAI_BASE_URL`,
    );
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_LLM_TIMEOUT_MS;
  // Local servers ignore the key, but the client insists on one.
  const client = new OpenAI({ apiKey: apiKey ?? 'no-key', baseURL: baseURL ?? null, timeout: timeoutMs, maxRetries: options.maxRetries ?? 2, fetch: nodeHttpFetch });
  return { client, name: `openai:${options.model}`, model: options.model, timeoutMs };
};
