import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DreambridgeError } from '../src/env/errors.js';
import { OpenAIEmbedder } from '../src/replay/index.js';

// fixtures/llm/scripted-llm-server.ts has no /v1/embeddings route, so a minimal one is served here.
let server: Server;
let baseURL: string;
const requests: { model: string; input: string[] }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const request = JSON.parse(body) as { model: string; input: string[] };
      requests.push(request);
      // Reversed order on purpose: the client must place items by `index`; 'drop' is omitted.
      const data = request.input
        .map((text, index) => ({ object: 'embedding', index, embedding: [text.length, index, 1] }))
        .filter((_, index) => request.input[index] !== 'drop')
        .reverse();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ object: 'list', data, model: request.model, usage: { prompt_tokens: 1, total_tokens: 1 } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('OpenAIEmbedder', () => {
  it('embeds in batches and keeps the input order', async () => {
    const embedder = new OpenAIEmbedder({ model: 'emb-test', baseURL, apiKey: 'k', batchSize: 2 });
    expect(embedder.kind).toBe('llm');
    expect(embedder.name).toBe('openai:emb-test');
    const vectors = await embedder.embed(['a', 'bbb', 'cc']);
    expect(vectors.map((v) => [...v])).toEqual([[1, 0, 1], [3, 1, 1], [2, 0, 1]]);
    expect(requests.map((r) => r.input)).toEqual([['a', 'bbb'], ['cc']]);
    expect(requests[0]?.model).toBe('emb-test');
  });

  it('fails with a typed error when an embedding is missing', async () => {
    const embedder = new OpenAIEmbedder({ model: 'emb-test', baseURL, apiKey: 'k', timeoutMs: 5000 });
    await expect(embedder.embed(['x', 'drop'])).rejects.toBeInstanceOf(DreambridgeError);
  });
});
