import { InvalidArgumentError } from 'commander';

/** `--goals A-B` (inclusive) or a single index `A`, as a list of goal indices. */
export const parseGoalRange = (value: string): number[] => {
  const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(value);
  if (!match) throw new InvalidArgumentError(`"${value}" is not a goal range like 1500-1519 or 7.`);
  const from = Number(match[1]);
  const to = match[2] === undefined ? from : Number(match[2]);
  if (to < from) throw new InvalidArgumentError(`"${value}" ends before it starts.`);
  if (to - from >= 1_000_000) throw new InvalidArgumentError(`"${value}" is more than a million goals.`);
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
};
