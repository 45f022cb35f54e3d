import MersenneTwister from 'mersenne-twister';

/**
 * The parts of CPython's `random` module that decide a WebShop deployment's goal order:
 * `random.seed(n)` for a non-negative int and `random.shuffle(list)`. The generator is the same
 * MT19937; what CPython adds is how an int seeds it (init_by_array over the 32-bit words of the
 * int, least significant first) and how shuffle draws (`_randbelow` by rejection on
 * `getrandbits(bit_length(n))`, never a float), so both are reproduced here exactly.
 */
export class PythonRandom {
  readonly #mt = new MersenneTwister(0);

  constructor(seed: number) {
    this.seed(seed);
  }

  /** `random.seed(seed)` for a non-negative safe integer. */
  seed(seed: number): void {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`PythonRandom seeds are non-negative safe integers, got ${seed}`);
    const key: number[] = [];
    let rest = seed;
    do {
      key.push(rest % 0x1_0000_0000);
      rest = Math.floor(rest / 0x1_0000_0000);
    } while (rest > 0);
    this.#mt.init_by_array(key, key.length);
  }

  /** `random.getrandbits(k)` for 1 ≤ k ≤ 32: the top k bits of one 32-bit output. */
  getrandbits(k: number): number {
    if (!Number.isInteger(k) || k < 1 || k > 32) throw new RangeError(`getrandbits here takes 1..32 bits, got ${k}`);
    return this.#mt.random_int() >>> (32 - k);
  }

  /** `random._randbelow(n)`: uniform in [0, n) by rejection, as shuffle and randrange use it. */
  randbelow(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 0x1_0000_0000) throw new RangeError(`randbelow takes 1..2^32, got ${n}`);
    const k = bitLength(n);
    let r = this.getrandbits(k);
    while (r >= n) r = this.getrandbits(k);
    return r;
  }

  /** `random.shuffle(items)` in place: Fisher–Yates from the end, j = _randbelow(i + 1). */
  shuffle<T>(items: T[]): void {
    for (let i = items.length - 1; i > 0; i -= 1) {
      const j = this.randbelow(i + 1);
      [items[i], items[j]] = [items[j] as T, items[i] as T];
    }
  }
}

/** Python's `int.bit_length()` for a positive integer up to 2^32. */
export const bitLength = (n: number): number => (n >= 0x1_0000_0000 ? 33 : 32 - Math.clz32(n));

/** The permutation `random.seed(seed); random.shuffle(list(range(n)))` produces. */
export const pythonShuffledIndices = (n: number, seed: number): number[] => {
  const indices = Array.from({ length: n }, (_, i) => i);
  new PythonRandom(seed).shuffle(indices);
  return indices;
};
