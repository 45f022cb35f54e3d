import { InvalidArgumentError } from 'commander';

/** Commander option parser for numbers in [min, max] (or [min, max) with `openMax`), naming the value. */
export const numberOption =
  (min: number, max: number, openMax = false) =>
  (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || (openMax ? n >= max : n > max)) throw new InvalidArgumentError(`"${value}" must be a number in ${min}..${max}${openMax ? ' (exclusive)' : ''}.`);
    return n;
  };
