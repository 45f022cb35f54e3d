import { describe, expect, it } from 'vitest';
import { normalizeColor } from '../fixtures/webshop/colors.js';
import { readFileSync } from 'node:fs';
import {
  attributeReward,
  computeReward,
  goalOptionsForReward,
  normalizeGoalOption,
  optionReward,
  tokenSetRatio,
  typeReward,
} from '../fixtures/webshop/reward.js';
import { makeGoal, makeProduct } from './helpers/products.js';

interface OptionGoldenCase {
  case: string;
  goal_options: Array<[string, string]> | string[];
  chosen: Array<[string, string]>;
  r_option: number;
  hits: number;
}
const optionGolden = JSON.parse(readFileSync(new URL('./golden/webshop-option-reward.json', import.meta.url), 'utf8')) as {
  cases: OptionGoldenCase[];
};

// Golden cases from WebShop's own unit tests (tests/web-agent-site/engine/test_goal.py).
describe('WebShop reward', () => {
  it('token_set_ratio reproduces thefuzz values', () => {
    expect(tokenSetRatio('essential oil', 'essential oils')).toBe(96);
    expect(tokenSetRatio('powder snow', 'cool powder snow')).toBe(100);
    expect(tokenSetRatio('tea bag', 'tea tree')).toBe(60);
    expect(tokenSetRatio('z2-pink', 'pink')).toBe(100);
  });

  it('normalises colours by the first listed colour contained in the value', () => {
    expect(normalizeColor('dark brown')).toBe('brown'); // 'brown' precedes 'dark' in the list
    expect(normalizeColor('z2-pink')).toBe('pink');
    expect(normalizeColor('xl')).toBe('xl');
  });

  it('type reward: exact match, query and category matching', async () => {
    const goal = makeGoal();
    const exact = await typeReward(makeProduct(), goal);
    expect(exact).toMatchObject({ r_type: 1, query_match: true, category_match: true, title_score: 1 });
    expect((await typeReward(makeProduct({ query: 'Query 2' }), goal)).query_match).toBe(false);
    const cat = async (c: string) => (await typeReward(makeProduct({ product_category: c }), goal)).category_match;
    expect(await cat('b › c › a')).toBe(true);
    expect(await cat('d › e › f')).toBe(false);
    expect(await cat('a › d › b')).toBe(true);
    expect(await cat('a › a › b')).toBe(true);
    expect(await cat('a › a › d')).toBe(false);
  });

  it('type reward: title score from nouns of both names', async () => {
    const similar = await typeReward(
      makeProduct({ name: 'adidas Unisex-Adult D.o.n. Issue 2 Indoor Court Shoe' }),
      makeGoal({ name: 'adidas Unisex-Adult D.o.n. Issue 2 Basketball Shoe' }),
    );
    expect(similar.title_score).toBeGreaterThan(0.6);
    const different = await typeReward(
      makeProduct({ name: 'Minkissy 2pcs Stainless Steel Eyebrow Tweezers Blackhead Acne Remover Portable Makeup Tweezers (Silver)' }),
      makeGoal({ name: 'Rusticware 921ORB Kitchen and Bath Cabinet Knob' }),
    );
    expect(different.title_score).toBeLessThan(0.05);
    expect(different.r_type).toBe(0);
  });

  it('attribute reward: exact, partial, found in text, none', () => {
    const goalAttrs = ['tea tree', 'essential oils', 'natural ingredients'];
    expect(attributeReward(makeProduct({ Attributes: ['tea tree', 'essential oil', 'natural ingredients'] }), goalAttrs)).toEqual({ r_att: 1, hits: 3 });
    expect(attributeReward(makeProduct({ Attributes: ['essential oil', 'natural ingredients'] }), goalAttrs)).toEqual({ r_att: 2 / 3, hits: 2 });
    const inText = makeProduct({
      BulletPoints: ['This shampoo has essential oils and smells like lemons'],
      Description: 'Best shampoo on the market, made with natural ingredients',
    });
    expect(attributeReward(inText, goalAttrs)).toEqual({ r_att: 2 / 3, hits: 2 });
    const none = makeProduct({
      Attributes: ['tea bag', 'earl gray', 'lipton'],
      Title: 'English tea for breakfast',
      BulletPoints: ['Soothing aroma', 'Calming, great feeling'],
      Description: 'Best tea made by Lipton, great to pair with breakfast',
    });
    expect(attributeReward(none, goalAttrs)).toEqual({ r_att: 0, hits: 0 });
  });

  it('option reward: exact, partial, fuzzy, empty goal, nothing chosen (string goal options)', () => {
    expect(optionReward(['grey', 'XL', 'pack of 12'], ['pack of 12', 'grey', 'XL'])).toEqual({ r_option: 1, hits: 3 });
    expect(optionReward(['grey', 'XL', 'pack of 12'], ['pack of 12', 'blue', 'XL'])).toEqual({ r_option: 2 / 3, hits: 2 });
    expect(optionReward(['cool powder snow', 'XL', 'pack of 12'], ['pack of 12', 'powder snow', 'XL'])).toEqual({ r_option: 1, hits: 3 });
    expect(optionReward([], ['goal 1', 'goal 2'])).toEqual({ r_option: null, hits: 0 });
    expect(optionReward(['goal 1', 'goal 2'], [])).toEqual({ r_option: 0, hits: 0 });
  });

  // Golden cases: WebShop's own get_option_reward run on these inputs (tests/golden/…).
  it.each(optionGolden.cases)('option reward quirk, as the real code scores it: $case', (c) => {
    const goal = makeGoal({ goal_options: c.goal_options, kind: typeof c.goal_options[0] === 'string' ? 'human' : 'synthetic' });
    expect(optionReward(goalOptionsForReward(goal), c.chosen.map(([, v]) => v))).toEqual({ r_option: c.r_option, hits: c.hits });
  });

  it('colour pairs: a synthetic goal option is normalised as a (name, value) pair', () => {
    expect(normalizeGoalOption(['color', 'grapefruit'])).toBe("('color', 'grapefruit')");
    expect(normalizeGoalOption(['color', 'blue'])).toBe('blue');
    expect(normalizeGoalOption('grapefruit')).toBe('grape');
  });

  it('the exactly right purchase of a grapefruit goal scores below 1, as on the real site', async () => {
    const goal = makeGoal({ attributes: ['natural'], goal_options: [['flavor', 'grapefruit'], ['size', '8 ounce']], price_upper: 40 });
    const product = makeProduct({ Attributes: ['natural'] });
    const { reward, info } = await computeReward(product, goal, 35, [['flavor', 'grapefruit'], ['size', '8 ounce']]);
    expect(reward).toBeCloseTo(3 / 4, 9);
    expect(info.r_option).toBe(0.5);
  });

  it('no product-text fallback for options: a wrong option named in the title is no hit', async () => {
    const goal = makeGoal({ attributes: ['natural'], goal_options: [['color', 'black']], price_upper: 40 });
    const product = makeProduct({ Title: 'Natural black and white mug', Attributes: ['natural'] });
    const { reward, info } = await computeReward(product, goal, 35, [['color', 'white']]);
    expect(info.r_option).toBe(0);
    expect(reward).toBeCloseTo(2 / 3, 9);
  });

  it("fuzzy size: 'pack of 1' for a 'pack of 2' goal is a hit (token_set_ratio 88 > 85, as thefuzz gives)", async () => {
    expect(tokenSetRatio('pack of 1', "('size', 'pack of 2')")).toBe(88);
    const goal = makeGoal({ attributes: ['natural'], goal_options: [['size', 'pack of 2']], price_upper: 40 });
    const { reward } = await computeReward(makeProduct({ Attributes: ['natural'] }), goal, 35, [['size', 'pack of 1']]);
    expect(reward).toBe(1);
  });

  it('total reward: 1.0, 2/3, 4/7 and the r_type 0.5 case', async () => {
    const name = 'Mens D.O.N. Issue 2 Gca Basketball Sneakers Shoes Casual - Off White';
    const goal = makeGoal({
      name,
      attributes: ['tea tree', 'essential oils', 'natural ingredients'],
      goal_options: [['color', 'grey'], ['size', 'XL']],
      price_upper: 40,
    });
    const chosen: Array<[string, string]> = [['color', 'grey'], ['size', 'XL']];
    const product = makeProduct({ name, Attributes: ['tea tree', 'essential oil', 'natural ingredients'] });
    const exact = await computeReward(product, goal, 35, chosen);
    expect(exact.reward).toBe(1);
    expect(exact.info).toMatchObject({ r_type: 1, r_att: 1, r_option: 1, r_price: true });

    const textOnly = makeProduct({ name, Description: 'Best shampoo on the market, made with natural ingredients' });
    expect((await computeReward(textOnly, goal, 35, chosen)).reward).toBeCloseTo(2 / 3, 6);

    const threeOptions = makeGoal({ ...goal, goal_options: [['color', 'grey'], ['size', 'XL'], ['amount', 'pack of 12']] });
    const partial = await computeReward(textOnly, threeOptions, 35, chosen);
    expect(partial.reward).toBeCloseTo(4 / 7, 4);
    expect(partial.info.w_option).toBeCloseTo(3 / 7, 6);

    const mismatch = await computeReward(
      makeProduct({
        ...textOnly,
        name: 'BRST AC Power Cord Outlet Socket Cable Plug Lead for Panasonic SC-HT830V DVD/VCR Combo Home Theater System',
        query: 'Query 2',
        product_category: 'a › d › e',
      }),
      makeGoal({ ...threeOptions, name: 'Saireed UL Listed 2 Prong Power Cord for JBL Bar 3.1 Bar 2.1 Channel 4K Ultra HD Soundbar' }),
      35,
      chosen,
    );
    expect(mismatch.info.r_type).toBe(0.5);
    expect(mismatch.reward).toBeCloseTo(0.2857, 3);
  });

  it('price above the budget loses the price point', async () => {
    const goal = makeGoal({ attributes: ['tea tree'], price_upper: 40 });
    const product = makeProduct({ Attributes: ['tea tree'] });
    const { reward, info } = await computeReward(product, goal, 45, []);
    expect(info.r_price).toBe(false);
    expect(reward).toBeCloseTo(1 / 2, 6);
  });
});
