import cliProgress from 'cli-progress';
import type { RunEvent } from '../runner.js';

export interface ProgressReporter {
  onEvent(event: RunEvent): void;
  stop(): void;
}

/**
 * A progress bar on stderr when it is a terminal (episodes, steps/s, mean reward so far); silent
 * otherwise, so logs and CI output stay clean.
 */
export const createProgress = (total: number, stream: NodeJS.WriteStream = process.stderr): ProgressReporter => {
  if (!stream.isTTY) return { onEvent: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'episodes {bar} {value}/{total} | {steps} steps, {rate} steps/s | mean reward {mean}',
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = performance.now();
  let steps = 0;
  let episodes = 0;
  let rewardSum = 0;
  const payload = () => ({
    steps,
    rate: (steps / Math.max(0.001, (performance.now() - started) / 1000)).toFixed(1),
    mean: episodes === 0 ? '-' : (rewardSum / episodes).toFixed(3),
  });
  bar.start(total, 0, payload());
  return {
    onEvent(event) {
      if (event.type === 'step') steps += 1;
      if (event.type === 'episode-end') {
        episodes += 1;
        rewardSum += event.episode.total_reward;
        bar.update(episodes, payload());
      } else {
        bar.update(payload());
      }
    },
    stop: () => bar.stop(),
  };
};
