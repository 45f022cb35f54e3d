export * from './errors.js';
export * from './code-of.js';
export type * from './env.js';
