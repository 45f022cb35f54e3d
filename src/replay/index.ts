export * from './embedder.js';
export * from './hashed-embedder.js';
export * from './openai-embedder.js';
export * from './replay-buffer.js';
export * from './retrieval-index.js';
export * from './dense-retrieval-index.js';
