export * from './observation.js';
export * from './task.js';
export * from './step-result.js';
export * from './transition.js';
export * from './episode.js';
export type * from './site-profile.js';
export * from './shadow.js';
