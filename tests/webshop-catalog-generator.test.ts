import { describe, it, expect } from 'vitest';

import {
  countSyntheticGoals,
  generateCatalog,
  type GeneratedCatalog,
} from '../fixtures/webshop/catalog-generator.js';
import { instructionFileSchema, rawProductListSchema, type RawProduct } from '../fixtures/webshop/raw-schema.js';

// One default catalogue shared by the read-only checks below (generation is deterministic).
const catalog = generateCatalog();

const ASIN_PATTERN = /^B0[A-Z0-9]{8}$/;
const SINGLE_PRICE = /^\$\d+\.\d{2}$/;
const RANGE_PRICE = /^\$\d+\.\d{2}\$\d+\.\d{2}$/;

function optionGroups(product: RawProduct): [string, { value: string }[]][] {
  const options = product.customization_options;
  if (options === '' || options === null) return [];
  const groups: [string, { value: string }[]][] = [];
  for (const [name, values] of Object.entries(options)) if (values !== null) groups.push([name, values]);
  return groups;
}

function share(catalogue: GeneratedCatalog, test: (product: RawProduct) => boolean): number {
  return catalogue.products.filter(test).length / catalogue.products.length;
}

describe('generateCatalog: determinism', () => {
  it('gives byte-identical output for the same seed and size', () => {
    const again = generateCatalog({ seed: 0, size: 1000 });
    expect(again).toEqual(catalog);
    expect(JSON.stringify(again)).toBe(JSON.stringify(catalog));
  });

  it('gives different catalogues for different seeds', () => {
    const other = generateCatalog({ seed: 1 });
    expect(other.products.map((p) => p.asin)).not.toEqual(catalog.products.map((p) => p.asin));
    expect(other.products.map((p) => p.name)).not.toEqual(catalog.products.map((p) => p.name));
  });

  it('makes a smaller catalogue a prefix of a larger one with the same seed', () => {
    const small = generateCatalog({ seed: 0, size: 25 });
    expect(small.products).toEqual(catalog.products.slice(0, 25));
  });
});

describe('generateCatalog: raw schema', () => {
  it('produces products and instructions that pass the raw schemas', () => {
    expect(rawProductListSchema.safeParse(catalog.products).success).toBe(true);
    expect(instructionFileSchema.safeParse(catalog.instructions).success).toBe(true);
  });

  it('writes unique ASINs of the form B0 + 8 upper-case letters or digits', () => {
    const asins = catalog.products.map((p) => p.asin);
    for (const asin of asins) expect(asin).toMatch(ASIN_PATTERN);
    expect(new Set(asins).size).toBe(asins.length);
    expect(Object.keys(catalog.instructions).sort()).toEqual([...asins].sort());
  });

  it('covers all five WebShop categories', () => {
    const categories = new Set(catalog.products.map((p) => p.category));
    expect([...categories].sort()).toEqual(['beauty', 'electronics', 'fashion', 'garden', 'grocery']);
  });

  it('writes pricing as WebShop does: single, range (~25 %) or empty (~2 %)', () => {
    for (const product of catalog.products) {
      const pricing = product.pricing ?? '';
      expect(pricing === '' || SINGLE_PRICE.test(pricing) || RANGE_PRICE.test(pricing)).toBe(true);
    }
    expect(share(catalog, (p) => RANGE_PRICE.test(p.pricing ?? ''))).toBeGreaterThan(0.18);
    expect(share(catalog, (p) => RANGE_PRICE.test(p.pricing ?? ''))).toBeLessThan(0.32);
    expect(share(catalog, (p) => p.pricing === '')).toBeGreaterThan(0.005);
    expect(share(catalog, (p) => p.pricing === '')).toBeLessThan(0.05);
  });

  it('fills the remaining fields in the raw shapes', () => {
    for (const product of catalog.products) {
      expect(product.name.length).toBeGreaterThan(10);
      expect(product.list_price).toBe('');
      expect(product.product_information).toEqual({});
      expect(product.product_category).toContain(' › ');
      expect(product.query).toBe(product.query.toLowerCase());
      expect(product.images.length).toBeGreaterThan(0);
      for (const image of product.images) expect(image).toMatch(/^https:\/\//);
      expect(String(product.average_rating)).toMatch(/^(\d\.\d out of 5 stars|N\.A\.)$/);
      const bullets = product.small_description;
      expect(Array.isArray(bullets) && bullets.length >= 2 && bullets.length <= 6).toBe(true);
      const sentences = product.full_description.split('. ').length;
      expect(product.full_description === '' || sentences <= 4).toBe(true);
    }
    const empty = share(catalog, (p) => p.full_description === '');
    expect(empty).toBeGreaterThan(0.005);
    expect(empty).toBeLessThan(0.05);
  });

  it('offers 1–3 option groups of 2–6 distinct values, or none for ~15 % of products', () => {
    const none = share(catalog, (p) => p.customization_options === '');
    expect(none).toBeGreaterThan(0.1);
    expect(none).toBeLessThan(0.2);
    for (const product of catalog.products) {
      if (product.customization_options === '') continue;
      const groups = optionGroups(product);
      expect(groups.length).toBeGreaterThanOrEqual(1);
      expect(groups.length).toBeLessThanOrEqual(3);
      for (const [, values] of groups) {
        expect(values.length).toBeGreaterThanOrEqual(2);
        expect(values.length).toBeLessThanOrEqual(6);
        // Distinct after WebShop's own normalisation of option values.
        const loaded = values.map((v) => v.value.trim().replace(/\//g, ' | ').toLowerCase());
        expect(new Set(loaded).size).toBe(loaded.length);
      }
    }
    const slashed = catalog.products.some((p) => optionGroups(p).some(([, values]) => values.some((v) => v.value.includes('/'))));
    expect(slashed).toBe(true);
  });

  it('mentions some of each product\'s attributes in its title', () => {
    for (const product of catalog.products) {
      const attributes = catalog.instructions[product.asin]?.attributes ?? [];
      expect(attributes.some((a) => product.name.toLowerCase().includes(a))).toBe(true);
    }
  });
});

describe('generateCatalog: instructions', () => {
  it('gives every product 3–6 lower-case attributes', () => {
    for (const entry of Object.values(catalog.instructions)) {
      const attributes = entry.attributes ?? [];
      expect(attributes.length).toBeGreaterThanOrEqual(3);
      expect(attributes.length).toBeLessThanOrEqual(6);
      for (const attribute of attributes) expect(attribute).toBe(attribute.toLowerCase());
    }
  });

  it('instructs about half of the products, only ones with options, in WebShop\'s wording', () => {
    const instructed = catalog.products.filter((p) => catalog.instructions[p.asin]?.instruction !== undefined);
    expect(instructed.length / catalog.products.length).toBeGreaterThanOrEqual(0.45);
    expect(instructed.length / catalog.products.length).toBeLessThanOrEqual(0.55);
    for (const product of instructed) {
      const entry = catalog.instructions[product.asin];
      expect(product.customization_options).not.toBe('');
      expect(entry?.instruction?.startsWith('Find me ')).toBe(true);
      expect(entry?.instruction).toContain(product.query);
      const chosen = entry?.instruction_attributes ?? [];
      expect(chosen.length).toBeGreaterThanOrEqual(2);
      expect(chosen.length).toBeLessThanOrEqual(4);
      for (const attribute of chosen) {
        expect(entry?.attributes).toContain(attribute);
        expect(entry?.instruction).toContain(attribute);
      }
    }
  });

  it('yields 5,000–9,000 synthetic goals for seeds 0..4 at size 1000', () => {
    for (const seed of [0, 1, 2, 3, 4]) {
      const goals = countSyntheticGoals(seed === 0 ? catalog : generateCatalog({ seed }));
      expect(goals).toBeGreaterThanOrEqual(5000);
      expect(goals).toBeLessThanOrEqual(9000);
    }
  });
});

describe('generateCatalog: options', () => {
  it('honours the asins option and defaults the size to its length', () => {
    const asins = ['B000000001', 'B000000002', 'B0ABCDEFGH', 'B0ZZZZZZZZ'];
    const given = generateCatalog({ asins });
    expect(given.products.map((p) => p.asin)).toEqual(asins);
    expect(Object.keys(given.instructions)).toEqual(asins);
    // Contents do not depend on where the ASINs come from.
    expect(given.products.map((p) => p.name)).toEqual(catalog.products.slice(0, 4).map((p) => p.name));
    expect(generateCatalog({ asins, size: 2 }).products.map((p) => p.asin)).toEqual(asins.slice(0, 2));
  });

  it('rejects more products than ASINs given, and duplicate ASINs', () => {
    expect(() => generateCatalog({ asins: ['B000000001'], size: 2 })).toThrow(RangeError);
    expect(() => generateCatalog({ asins: ['B000000001', 'B000000001'] })).toThrow();
  });

  it('works at size 10 and still covers every category', () => {
    const small = generateCatalog({ seed: 3, size: 10 });
    expect(small.products).toHaveLength(10);
    expect(Object.keys(small.instructions)).toHaveLength(10);
    expect(rawProductListSchema.safeParse(small.products).success).toBe(true);
    expect(new Set(small.products.map((p) => p.category)).size).toBe(5);
  });
});

describe('countSyntheticGoals', () => {
  it('multiplies non-null option group sizes of instructed products only', () => {
    const base = catalog.products[0] as RawProduct;
    const value = { value: 'x' };
    const products: RawProduct[] = [
      { ...base, asin: 'B0AAAAAAAA', customization_options: { Color: [value, value, value], Size: [value, value], Style: null } },
      { ...base, asin: 'B0BBBBBBBB', customization_options: '' },
      { ...base, asin: 'B0CCCCCCCC', customization_options: { Color: [value, value] } },
    ];
    const instructions = {
      B0AAAAAAAA: { attributes: ['a'], instruction: 'Find me a', instruction_attributes: ['a'] },
      B0BBBBBBBB: { attributes: ['b'], instruction: 'Find me b', instruction_attributes: ['b'] },
      B0CCCCCCCC: { attributes: ['c'] },
    };
    expect(countSyntheticGoals({ products, instructions })).toBe(3 * 2 + 1);
  });
});
