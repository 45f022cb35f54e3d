import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildSyntheticGoals, shuffleGoals } from '../fixtures/webshop/goals.js';
import { PythonRandom, pythonShuffledIndices } from '../src/python/python-random.js';
import { makeProduct } from './helpers/products.js';
import { sharedFile } from './helpers/shared-data.js';

interface GoalOrderGolden {
  goals: number;
  asins: string[];
}
const golden = JSON.parse(readFileSync(new URL('./golden/webshop-goal-order.json', import.meta.url), 'utf8')) as GoalOrderGolden;

// Values printed by CPython 3.11: `random.seed(233); l = list(range(n)); random.shuffle(l)`.
describe('Python random, exactly', () => {
  it('random.seed(233) + shuffle give CPython permutations', () => {
    expect(pythonShuffledIndices(1, 233)).toEqual([0]);
    expect(pythonShuffledIndices(2, 233)).toEqual([1, 0]);
    expect(pythonShuffledIndices(10, 233)).toEqual([5, 9, 0, 1, 4, 7, 6, 3, 8, 2]);
    expect(pythonShuffledIndices(6910, 233).slice(0, 6)).toEqual([3963, 2638, 2193, 1856, 4358, 6149]);
    expect(pythonShuffledIndices(12087, 233).slice(0, 6)).toEqual([8655, 10304, 6940, 2750, 3667, 2144]);
  });

  it('seeds wider than 32 bits use every word, as CPython does', () => {
    const r = new PythonRandom(2 ** 40 + 5);
    expect([r.getrandbits(32), r.getrandbits(32), r.getrandbits(32)]).toEqual([2166296868, 2220160828, 1153647273]);
    expect(() => new PythonRandom(-1)).toThrow(RangeError);
  });
});

describe('WebShop goal order', () => {
  it("goal N is WebShop's goal N on the real items_ins_v2_1000.json goals", () => {
    const file = sharedFile('webshop/items_ins_v2_1000.json');
    if (file === undefined) return;
    const entries = Object.entries(
      JSON.parse(readFileSync(file, 'utf8')) as Record<string, { instruction?: string; instruction_attributes?: string[] }>,
    );
    // One product per instructed entry (no options → one goal each), in the file's order.
    const products = entries
      .filter(([, e]) => e.instruction !== undefined)
      .map(([asin, e]) =>
        makeProduct({ asin, instructionText: e.instruction ?? null, instructionAttributes: e.instruction_attributes ?? [] }),
      );
    const goals = shuffleGoals(buildSyntheticGoals(products, new Map(), 0));
    expect(goals).toHaveLength(golden.goals);
    expect(goals.slice(0, 100).map((g) => g.asin)).toEqual(golden.asins);
  });

  it('the order does not depend on the site seed', () => {
    const products = Array.from({ length: 30 }, (_, i) =>
      makeProduct({ asin: `B${String(i).padStart(9, '0')}`, instructionText: `find ${i}`, instructionAttributes: ['a'] }),
    );
    const order = (seed: number) => shuffleGoals(buildSyntheticGoals(products, new Map(), seed)).map((g) => g.asin);
    expect(order(0)).toEqual(order(7));
    expect(order(0)).toEqual(pythonShuffledIndices(30, 233).map((i) => `B${String(i).padStart(9, '0')}`));
  });
});
