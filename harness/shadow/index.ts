export * from './shadower.js';
export * from './shadow-line.js';
export * from './shadow-writer.js';
export * from './shadow-counts.js';
export * from './shadow-real-step.js';
