import cliProgress from 'cli-progress';
import type { BranchStateLine } from './branch-state-line.js';

export interface BranchProgress {
  update(line: BranchStateLine): void;
  stop(): void;
}

/** A progress bar on stderr when it is a terminal (states, alternatives, mismatches); silent otherwise. */
export const createBranchProgress = (total: number, stream: NodeJS.WriteStream = process.stderr): BranchProgress => {
  if (!stream.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar({ stream, format: 'states {bar} {value}/{total} | {alternatives} alternatives, {mismatched} mismatched, {steps} real steps', hideCursor: true }, cliProgress.Presets.shades_classic);
  let alternatives = 0;
  let mismatched = 0;
  let steps = 0;
  let done = 0;
  bar.start(total, 0, { alternatives, mismatched, steps });
  return {
    update: (line) => {
      done += 1;
      alternatives += line.alternatives;
      mismatched += line.replay === 'mismatch' ? 1 : 0;
      steps += line.replay_steps + line.branch_steps;
      bar.update(done, { alternatives, mismatched, steps });
    },
    stop: () => bar.stop(),
  };
};
