export * from './heuristic-webshop-policy.js';
export * from './random-policy.js';
export * from './replay-policy.js';
export * from './oracle-policy.js';
export * from './webshop-instruction.js';
export * from './webshop-page.js';
export * from './openai-chat-policy.js';
