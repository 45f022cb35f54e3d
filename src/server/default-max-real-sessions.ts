import { availableParallelism, totalmem } from 'node:os';

/** What one browser context of a text-state site costs, roughly (page, renderer share, DOM). */
const CONTEXT_BYTES = 256 * 2 ** 20;
/** Memory left to Node, the browser's own processes and the system. */
const RESERVED_BYTES = 2 ** 30;

/**
 * The default `--max-real-sessions`: min(4 × cores, (total memory − 1 GiB) / 256 MiB), at least 1.
 * A real step mostly waits on the site, so a core serves a few contexts; memory bounds the rest
 * (2 cores and 8 GiB → 8).
 */
export const defaultMaxRealSessions = (cores = availableParallelism(), memoryBytes = totalmem()): number =>
  Math.max(1, Math.min(4 * cores, Math.floor((memoryBytes - RESERVED_BYTES) / CONTEXT_BYTES)));
