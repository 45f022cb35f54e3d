export type * from './real-budget.js';
export * from './ledger.js';
export * from './memory-budget.js';
export * from './budgeted-env.js';
export * from './ledger-format.js';
