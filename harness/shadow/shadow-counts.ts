import { z } from 'zod';
import type { ShadowStats } from './shadower.js';

const count = z.number().int().nonnegative();

/**
 * What became of a run's shadow predictions, as the run summary, `manifest.json` (`shadow`) and
 * `fidelity.json` (`shadow`) report it, so a fidelity figure over fewer steps than were shadowed
 * is never silent. Once flushed, `requested = written + dropped`.
 */
export const shadowCountsSchema = z.object({
  /** Predictions per real step (K). */
  k: count,
  /** Real steps shadowed (one line each requested, `k` predictions each). */
  requested: count,
  /** Lines written to `shadow.jsonl`. */
  written: count,
  /** Predictions of written lines that failed or timed out (the lines' `failed`, summed). */
  failed: count,
  /** Lines not written: `real_step_failed` (nothing to compare with) plus `lost` (not built or not written). */
  dropped: count,
  real_step_failed: count,
  lost: count,
});
export type ShadowCounts = z.infer<typeof shadowCountsSchema>;

/** The counts of a shadower's stats. */
export const shadowCounts = (stats: Readonly<ShadowStats>, k: number): ShadowCounts => ({
  k,
  requested: stats.requested,
  written: stats.lines,
  failed: stats.failedPredictions,
  dropped: stats.skippedRealFailed + stats.lostLines,
  real_step_failed: stats.skippedRealFailed,
  lost: stats.lostLines,
});

/** Counts of a resumed run: the earlier invocations' plus this one's (same K). */
export const addShadowCounts = (a: ShadowCounts, b: ShadowCounts): ShadowCounts => ({
  k: b.k,
  requested: a.requested + b.requested,
  written: a.written + b.written,
  failed: a.failed + b.failed,
  dropped: a.dropped + b.dropped,
  real_step_failed: a.real_step_failed + b.real_step_failed,
  lost: a.lost + b.lost,
});

/** `shadow: 10 real steps × K 2: 10 lines written, 2 of 20 predictions failed, 0 lines dropped`. */
export const formatShadowCounts = (c: ShadowCounts): string =>
  `shadow: ${c.requested} real steps × K ${c.k}: ${c.written} lines written, ${c.failed} of ${c.written * c.k} predictions failed, ` +
  `${c.dropped} lines dropped${c.dropped > 0 ? ` (${c.real_step_failed} real step failed, ${c.lost} lost)` : ''}`;
