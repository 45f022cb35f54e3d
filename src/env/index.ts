export * from './errors.js';
export type * from './env.js';
