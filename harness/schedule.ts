import seedrandom from 'seedrandom';
import { ConfigInvalidError } from '../src/env/errors.js';
import type { Source } from '../src/protocol/index.js';

/**
 * Which episodes run in dream and which on the real site:
 *  - `real` / `dream`: all of them;
 *  - `s2r`: the first `dreamEpisodes` in dream, the rest real (until the real budget is spent);
 *  - `mix`: each episode real with probability `p` (seeded by slot, so a resumed run plans the same).
 */
export type Schedule =
  | { kind: 'real' }
  | { kind: 'dream' }
  | { kind: 's2r'; dreamEpisodes: number }
  | { kind: 'mix'; p: number; seed: string };

/** Parses `real`, `dream`, `s2r`, `mix:P` (0 ≤ P ≤ 1). */
export const parseSchedule = (text: string, options: { dreamEpisodes?: number; seed?: string } = {}): Schedule => {
  if (text === 'real' || text === 'dream') return { kind: text };
  if (text === 's2r') {
    const dreamEpisodes = options.dreamEpisodes;
    if (dreamEpisodes === undefined) throw new ConfigInvalidError('--schedule s2r needs --dream-episodes N (episodes run in dream before the real ones)');
    return { kind: 's2r', dreamEpisodes };
  }
  const mix = /^mix:(.+)$/.exec(text);
  if (mix) {
    const p = Number(mix[1]);
    if (!(p >= 0 && p <= 1)) throw new ConfigInvalidError(`--schedule ${text}: P must be a number from 0 to 1 (the probability that an episode is real)`);
    return { kind: 'mix', p, seed: options.seed ?? '0' };
  }
  throw new ConfigInvalidError(`--schedule ${text}: expected real, dream, s2r or mix:P`);
};

/** The planned source of the episode in `slot` (0-based position in the run). */
export const plannedSource = (schedule: Schedule, slot: number): Source => {
  switch (schedule.kind) {
    case 'real':
    case 'dream':
      return schedule.kind;
    case 's2r':
      return slot < schedule.dreamEpisodes ? 'dream' : 'real';
    case 'mix':
      return seedrandom(`${schedule.seed}:${slot}`)() < schedule.p ? 'real' : 'dream';
  }
};

/** Whether the schedule can plan a real episode (then a site is needed). */
export const needsSite = (schedule: Schedule): boolean =>
  schedule.kind === 'real' || (schedule.kind === 'mix' && schedule.p > 0) || schedule.kind === 's2r';

/** `real`, `dream`, `s2r (N dream first)`, `mix:0.3`. */
export const formatSchedule = (schedule: Schedule): string =>
  schedule.kind === 's2r' ? `s2r (${schedule.dreamEpisodes} dream first)` : schedule.kind === 'mix' ? `mix:${schedule.p}` : schedule.kind;
