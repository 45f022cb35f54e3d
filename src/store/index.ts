export * from './run-directory.js';
export * from './run-id.js';
export * from './jsonl-appender.js';
export * from './jsonl-reader.js';
export * from './jsonl-repair.js';
export * from './atomic-write.js';
export * from './run-manifest.js';
export * from './package-versions.js';
