import cliProgress from 'cli-progress';

export interface AnnotateProgress {
  update(status: 'ok' | 'failed' | 'unasked'): void;
  stop(): void;
}

/** A progress bar on stderr when it is a terminal (items, failures, tokens); silent otherwise. */
export const createAnnotateProgress = (total: number, stream: NodeJS.WriteStream = process.stderr): AnnotateProgress => {
  if (!stream.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar({ stream, format: 'items {bar} {value}/{total} | {ok} ok, {failed} failed, {unasked} unasked', hideCursor: true }, cliProgress.Presets.shades_classic);
  const counts = { ok: 0, failed: 0, unasked: 0 };
  let done = 0;
  bar.start(total, 0, counts);
  return {
    update: (status) => {
      done += 1;
      counts[status] += 1;
      bar.update(done, counts);
    },
    stop: () => bar.stop(),
  };
};
