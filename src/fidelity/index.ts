export * from './summary-statistics.js';
export * from './confidence-interval.js';
export * from './bootstrap-interval.js';
export * from './proportion-interval.js';
export * from './step-delta.js';
export * from './simulation-bound.js';
export type * from './fidelity-report.js';
export * from './compute-fidelity.js';
export * from './text-similarity.js';
