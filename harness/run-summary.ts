import { terminationSchema, type Episode, type Termination } from '../src/protocol/index.js';
import type { ShadowCounts } from './shadow/shadow-counts.js';

/** What `runEpisodes` reports when it finishes. */
export interface RunSummary {
  /** Episode lines written. */
  episodes: number;
  /** Mean total reward per episode (0 when there were none). */
  meanReward: number;
  /** Fraction of episodes with `success` (done with total reward ≥ 1); 0 when there were none. */
  successRate: number;
  /** Transition lines written. */
  steps: number;
  /** `env.step` calls made on real envs, invalid actions and failed steps included. */
  realInteractions: number;
  wallMs: number;
  terminations: Record<Termination, number>;
  /** Episodes that ended with termination `error`. */
  failedEpisodes: number;
  /** Shadowed runs: what became of the predictions (failed and dropped ones included). */
  shadow?: ShadowCounts;
}

/** Adds up episode lines into a `RunSummary`. */
export class RunSummaryAccumulator {
  private episodes = 0;
  private rewardSum = 0;
  private successes = 0;
  private steps = 0;
  private readonly terminations = Object.fromEntries(terminationSchema.options.map((name) => [name, 0])) as Record<Termination, number>;

  add(episode: Episode): void {
    this.episodes += 1;
    this.rewardSum += episode.total_reward;
    if (episode.success) this.successes += 1;
    this.steps += episode.steps;
    this.terminations[episode.termination] += 1;
  }

  summary(realInteractions: number, wallMs: number): RunSummary {
    const per = (value: number): number => (this.episodes === 0 ? 0 : value / this.episodes);
    return {
      episodes: this.episodes,
      meanReward: per(this.rewardSum),
      successRate: per(this.successes),
      steps: this.steps,
      realInteractions,
      wallMs,
      terminations: { ...this.terminations },
      failedEpisodes: this.terminations.error,
    };
  }
}
