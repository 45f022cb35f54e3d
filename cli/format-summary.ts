import type { RunSummary } from '../harness/runner.js';

/** `episodes 20, mean reward 0.612, success 25.0%, 131 steps, 131 real interactions, 14.2 s`. */
export const formatSummary = (s: RunSummary): string =>
  `episodes ${s.episodes}, mean reward ${s.meanReward.toFixed(3)}, success ${(s.successRate * 100).toFixed(1)}%, ` +
  `${s.steps} steps, ${s.realInteractions} real interactions, ${(s.wallMs / 1000).toFixed(1)} s` +
  (s.failedEpisodes > 0 ? `, ${s.failedEpisodes} failed` : '');
