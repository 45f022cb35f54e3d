import OpenAI from 'openai';
import { ModelOutputUnparseableError } from '../env/errors.js';
import { nodeHttpFetch } from '../llm/node-http-fetch.js';
import type { Embedder } from './embedder.js';

/** Options of `OpenAIEmbedder` (`--embed openai:NAME`). */
export interface OpenAIEmbedderOptions {
  /** Embedding model name, e.g. `text-embedding-3-small`. */
  model: string;
  /** OpenAI-compatible base URL. Default: the `openai` package's (OPENAI_BASE_URL or api.openai.com). */
  baseURL?: string;
  /** API key. Default: OPENAI_API_KEY, else a placeholder (local servers often need none). */
  apiKey?: string;
  /** Per-request timeout. Default: 60,000 ms. */
  timeoutMs?: number;
  /** Texts per request. Default: 256. */
  batchSize?: number;
  /** Injected client (tests); when given, baseURL/apiKey/timeoutMs are ignored. */
  client?: OpenAI;
}

/** Dense embeddings from an OpenAI-compatible `/embeddings` endpoint. */
export class OpenAIEmbedder implements Embedder<Float32Array> {
  readonly kind = 'llm' as const;
  readonly name: string;
  private readonly client: OpenAI;
  private readonly model: string;
  private readonly batchSize: number;

  constructor(options: OpenAIEmbedderOptions) {
    this.model = options.model;
    this.name = `openai:${options.model}`;
    this.batchSize = options.batchSize ?? 256;
    this.client =
      options.client ??
      new OpenAI({
        apiKey: options.apiKey ?? process.env.OPENAI_API_KEY ?? 'not-needed',
        timeout: options.timeoutMs ?? 60_000,
        fetch: nodeHttpFetch,
        ...(options.baseURL === undefined ? {} : { baseURL: options.baseURL }),
      });
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const vectors: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += this.batchSize) {
      const input = texts.slice(start, start + this.batchSize);
      const response = await this.client.embeddings.create(
        { model: this.model, input, encoding_format: 'float' },
        signal === undefined ? {} : { signal },
      );
      // The API may return items out of order; `index` says which input each belongs to.
      const batch = new Array<Float32Array>(input.length);
      for (const item of response.data) batch[item.index] = Float32Array.from(item.embedding);
      for (let i = 0; i < batch.length; i += 1) {
        const vector = batch[i];
        if (vector === undefined) {
          throw new ModelOutputUnparseableError(`${this.name} returned no embedding for input ${start + i}`, { details: { index: start + i } });
        }
        vectors.push(vector);
      }
    }
    return vectors;
  }
}
