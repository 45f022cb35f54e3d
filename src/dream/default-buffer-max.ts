/**
 * Default of `DreamSetupOptions.bufferMax` (`--buffer-max` of `serve` and `run`): 100,000
 * transitions. A long-running `serve` records every transition it serves into the co-evolving
 * buffer, so an uncapped buffer grows without end. Measured with WebShop-sized pages (~560
 * characters each), a buffered transition with its index postings costs about 3 KB of heap:
 * about 300 MB at the cap, which fits next to a browser on an ordinary machine; and 100,000 is
 * the size the dream-step bench measures the sparse index at (a few ms per step).
 */
export const DEFAULT_BUFFER_MAX = 100_000;
