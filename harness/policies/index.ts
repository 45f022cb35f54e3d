export * from './random-policy.js';
export * from './replay-policy.js';
export * from './oracle-policy.js';
export * from './openai-chat-policy.js';
