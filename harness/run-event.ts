import type { Episode, Source } from '../src/protocol/index.js';

/** An episode was started (its env is being created). */
export interface EpisodeStartEvent {
  type: 'episode-start';
  runId: string;
  episodeId: string;
  taskId: string;
  /** Position of the task in `tasks`. */
  index: number;
}

/** A step was taken and its transition line written. */
export interface StepEvent {
  type: 'step';
  runId: string;
  episodeId: string;
  taskId: string;
  step: number;
  action: string;
  reward: number;
  done: boolean;
  truncated: boolean;
  source: Source;
}

/** An episode ended and its episode line was written. */
export interface EpisodeEndEvent {
  type: 'episode-end';
  runId: string;
  episode: Episode;
  /** Why closing the episode's env failed, when it did (the episode line is unaffected). */
  closeError?: string;
}

/** Progress of `runEpisodes`, for progress bars and logs. */
export type RunEvent = EpisodeStartEvent | StepEvent | EpisodeEndEvent;
