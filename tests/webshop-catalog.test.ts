import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FixtureError } from '../fixtures/webshop/fixture-errors.js';
import { generateCatalog } from '../fixtures/webshop/catalog-generator.js';
import { formatPriceTag, loadProducts, parsePricing } from '../fixtures/webshop/catalog-loader.js';
import { exportCatalog } from '../fixtures/webshop/export-catalog.js';
import { buildSyntheticGoals, drawPriceUpper } from '../fixtures/webshop/goals.js';
import { drawHiddenPrices } from '../fixtures/webshop/hidden-prices.js';
import { instructionFileSchema } from '../fixtures/webshop/raw-schema.js';
import { buildWebShopSite } from '../fixtures/webshop/webshop-site.js';
import { sharedFile } from './helpers/shared-data.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'dreambridge-catalog-'));

/** WebShop's synthetic goal text: instruction, optional `with k: v, and k: v`, optional budget. */
const GOAL_TEXT = /^.+?( with [^:,]+: [^,]+(, and [^:,]+: [^,]+)*)?(, and price lower than \d+\.00 dollars)?$/;

describe('WebShop catalogue and goals', () => {
  it('the default site has 1000 generated products and at least 5000 goals split like the benchmark', async () => {
    const site = await buildWebShopSite();
    expect(site.products).toHaveLength(1000);
    expect(site.goals.length).toBeGreaterThanOrEqual(5000);
    expect(site.splits).toEqual({ test: 500, eval: 1000, train: site.goals.length - 1500 });
    for (const goal of site.goals) {
      expect(goal.instruction_text).toMatch(GOAL_TEXT);
      expect(site.productByAsin.has(goal.asin)).toBe(true);
    }
    expect(new Set(site.products.map((p) => p.category))).toEqual(new Set(['beauty', 'electronics', 'fashion', 'garden', 'grocery']));
  });

  it('is reproducible: same seed, same catalogue, prices and goal order; another seed differs', async () => {
    const a = await buildWebShopSite({ seed: 3, size: 200 });
    const b = await buildWebShopSite({ seed: 3, size: 200 });
    const c = await buildWebShopSite({ seed: 4, size: 200 });
    expect(b.catalogHash()).toBe(a.catalogHash());
    expect([...b.prices]).toEqual([...a.prices]);
    expect(c.catalogHash()).not.toBe(a.catalogHash());
  });

  it('loads products the way WebShop does: prices, options, attributes', () => {
    expect(parsePricing('$19.99')).toEqual([19.99]);
    expect(parsePricing('$19.99$27.99')).toEqual([19.99, 27.99]);
    expect(parsePricing('$1,019.00$2,000.50')).toEqual([1019, 2000.5]);
    expect(parsePricing('')).toEqual([100]);
    expect(parsePricing('$abc')).toBeUndefined();
    expect(formatPriceTag([19.99, 27.99])).toBe('$19.99 to $27.99');
    expect(formatPriceTag([100])).toBe('$100.0');
    const { products: raw, instructions } = generateCatalog({ seed: 0, size: 50 });
    const withSlash = { ...raw[0]!, asin: 'B0SLASH001', customization_options: { Color: [{ value: ' Black/Brown ' }], Size: null } };
    const dup = { ...raw[1]! };
    const loaded = loadProducts([withSlash, dup, ...raw.slice(1), { ...raw[2]!, asin: 'nan' }], instructions);
    expect(loaded).toHaveLength(50);
    expect(loaded[0]!.options).toEqual([['color', ['black | brown']]]);
    expect(loaded[0]!.Attributes).toEqual(['DUMMY_ATTR']);
  });

  it('hidden prices fall within each product range and goal budgets sit above the price', async () => {
    const site = await buildWebShopSite({ seed: 2, size: 300 });
    for (const p of site.products) {
      const price = site.prices.get(p.asin)!;
      expect(price).toBeGreaterThanOrEqual(p.pricing[0]!);
      expect(price).toBeLessThanOrEqual(p.pricing[1] ?? p.pricing[0]!);
    }
    const random = () => 0.5;
    expect(drawPriceUpper(35, random).priceUpper).toBeGreaterThan(35);
    expect(drawPriceUpper(985, random)).toEqual({ priceUpper: 1000000, priceText: '' });
  });

  it('builds WebShop-format goals from the real items_ins_v2_1000.json instructions', (context) => {
    const file = sharedFile('webshop/items_ins_v2_1000.json');
    if (!file) return context.skip();
    const real = instructionFileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    const asins = Object.keys(real);
    const { products: raw } = generateCatalog({ seed: 0, asins });
    const products = loadProducts(raw, real);
    const goals = buildSyntheticGoals(products, drawHiddenPrices(products, 0), 0);
    const instructed = asins.filter((a) => real[a]?.instruction && (real[a]?.instruction_attributes?.length ?? 0) > 0);
    expect(new Set(goals.map((g) => g.asin))).toEqual(new Set(instructed));
    for (const goal of goals) {
      const entry = real[goal.asin]!;
      expect(goal.instruction_text.startsWith(entry.instruction!)).toBe(true);
      expect(goal.instruction_text).toMatch(GOAL_TEXT);
      expect(goal.attributes).toEqual(entry.instruction_attributes);
    }
    expect(goals.some((g) => / with [a-z ]+: .+, and price lower than \d+\.00 dollars$/.test(g.instruction_text))).toBe(true);
  });

  it('exports the catalogue in WebShop schemas and serves the same data when loaded back', async () => {
    const site = await buildWebShopSite({ seed: 5, size: 120 });
    const dir = tmp();
    const files = exportCatalog(site, dir);
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(['items_shuffle_120.json', 'items_ins_v2_120.json', 'goals_120.json']);
    const reloaded = await buildWebShopSite({ seed: 5, productsFile: files[0]!, instructionsFile: files[1]! });
    expect(reloaded.products).toEqual(site.products);
    expect(reloaded.goals).toEqual(site.goals);
    const goals = JSON.parse(readFileSync(files[2]!, 'utf8')) as Array<Record<string, unknown>>;
    expect(Object.keys(goals[0]!)).toEqual(['asin', 'category', 'query', 'name', 'product_category', 'instruction_text', 'attributes', 'price_upper', 'goal_options', 'weight']);
  });

  it('rejects bad catalogue files with one error naming the file and the problem', async () => {
    const dir = tmp();
    const { products, instructions } = generateCatalog({ seed: 0, size: 5 });
    const good = join(dir, 'ins.json');
    writeFileSync(good, JSON.stringify(instructions));
    const cases: Array<[string, string, RegExp]> = [
      ['broken.json', '[{"name": ', /broken\.json: is not valid JSON/],
      ['object.json', '{"a": 1}', /object\.json: does not match the expected schema/],
      ['field.json', JSON.stringify([products[0], { ...products[1], name: 42 }]), /field\.json: .*item 1 \(asin B0[A-Z0-9]{8}\) field "name"/],
      ['price.json', JSON.stringify([{ ...products[0], pricing: '$abc' }]), /price\.json: item 0 .*pricing "\$abc"/],
    ];
    for (const [name, content, message] of cases) {
      const file = join(dir, name);
      writeFileSync(file, content);
      const attempt = buildWebShopSite({ productsFile: file, instructionsFile: good });
      await expect(attempt).rejects.toThrow(FixtureError);
      await expect(attempt).rejects.toThrow(message);
    }
    await expect(buildWebShopSite({ productsFile: join(dir, 'missing.json'), instructionsFile: good })).rejects.toThrow(/missing\.json: cannot be read \(ENOENT\)/);
    await expect(buildWebShopSite({ productsFile: good })).rejects.toThrow(/--products and --instructions go together/);
  });

  it('--human-instructions adds crowd goals built as WebShop builds them', async () => {
    const dir = tmp();
    const generated = generateCatalog({ seed: 0, size: 30 });
    const [a, b] = generated.products;
    const human = {
      [a!.asin]: [
        { instruction: 'i want a red one.', instruction_attributes: ['red'], instruction_options: ['red', 'large'] },
        { instruction: 'no attributes here', instruction_attributes: [], instruction_options: [] },
      ],
      [b!.asin]: [{ instruction: 'something natural', instruction_attributes: ['natural'], instruction_options: [] }],
    };
    const products = join(dir, 'p.json');
    const instructions = join(dir, 'i.json');
    const humanFile = join(dir, 'h.json');
    writeFileSync(products, JSON.stringify(generated.products));
    writeFileSync(instructions, JSON.stringify(generated.instructions));
    writeFileSync(humanFile, JSON.stringify(human));
    const site = await buildWebShopSite({ productsFile: products, instructionsFile: instructions, humanInstructionsFile: humanFile });
    expect(site.goals).toHaveLength(2); // the goal without attributes is skipped, as in WebShop
    const red = site.goals.find((g) => g.asin === a!.asin)!;
    expect(red).toMatchObject({ kind: 'human', weight: 1, goal_options: ['red', 'large'], attributes: ['red'] });
    expect(red.instruction_text).toMatch(/^i want a red one(, and price lower than \d+\.00 dollars)?$/);
    const all = await buildWebShopSite({ productsFile: products, instructionsFile: instructions, humanInstructionsFile: humanFile, goalSet: 'all' });
    expect(all.goals.length).toBeGreaterThan(site.goals.length);
    await expect(buildWebShopSite({ goalSet: 'human', size: 20 })).rejects.toThrow(/needs --human-instructions/);
  });
});
