import type { EnvName, Episode, Observation, Source, StepResult, Termination, Transition } from '../protocol/index.js';
import type { RunDirectory } from '../store/index.js';

/** Where an episode's lines go and under which run. */
export interface RecorderTarget {
  runDir: RunDirectory;
  runId: string;
  envName: EnvName;
}

/**
 * One episode of a session, written as the runner writes it (harness/run-episode.ts): a
 * transition line per step, appended before the step is answered, and one episode line when it
 * ends, however it ends (done, max steps, error, budget, closed, interrupted).
 */
export class EpisodeRecorder {
  readonly startedAt = new Date().toISOString();
  private readonly sources = new Set<Source>();
  private steps = 0;
  private totalReward = 0;
  private ended: Episode | undefined;

  constructor(
    private readonly target: RecorderTarget,
    readonly episodeId: string,
    readonly taskId: string,
    first: Source,
  ) {
    this.sources.add(first);
  }

  get stepCount(): number {
    return this.steps;
  }

  get cumReward(): number {
    return this.totalReward;
  }

  get isEnded(): boolean {
    return this.ended !== undefined;
  }

  get episode(): Episode | undefined {
    return this.ended;
  }

  /** 'real', 'dream', or 'mixed' once both were seen (a switch to dream on budget exhaustion). */
  get source(): Episode['source'] {
    return this.sources.size > 1 ? 'mixed' : ([...this.sources][0] ?? 'real');
  }

  /** Appends the transition line of a step (resolves once it is written). */
  async step(state: Observation, action: string, thought: string | undefined, result: StepResult): Promise<void> {
    const line: Transition = {
      run_id: this.target.runId,
      episode_id: this.episodeId,
      task_id: this.taskId,
      env: this.target.envName,
      source: result.observation.source,
      step: this.steps,
      state,
      action,
      ...(thought === undefined ? {} : { thought }),
      next_state: result.observation,
      reward: result.reward,
      done: result.done,
      truncated: result.truncated,
      info: result.info,
    };
    // Counted before the write so a failing disk cannot make the episode line undercount.
    this.steps += 1;
    this.totalReward += result.reward;
    this.sources.add(result.observation.source);
    await this.target.runDir.appendTransition(line);
  }

  /** Appends the episode line once; later calls return the first one. */
  async end(termination: Termination, error?: string): Promise<Episode> {
    if (this.ended) return this.ended;
    this.ended = {
      run_id: this.target.runId,
      episode_id: this.episodeId,
      task_id: this.taskId,
      env: this.target.envName,
      source: this.source,
      steps: this.steps,
      total_reward: this.totalReward,
      success: termination === 'done' && this.totalReward >= 1,
      termination,
      ...(error === undefined ? {} : { error }),
      started_at: this.startedAt,
      ended_at: new Date().toISOString(),
    };
    await this.target.runDir.appendEpisode(this.ended);
    return this.ended;
  }
}

/** How a finished step ends its episode, as the runner decides it. */
export const terminationOf = (result: StepResult): Termination | undefined => {
  if (!result.done && !result.truncated) return undefined;
  const said = result.info['termination'];
  if (said === 'early_stop' || said === 'error') return said;
  return result.done ? 'done' : 'max_steps';
};
