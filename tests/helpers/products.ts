import type { Goal } from '../../fixtures/webshop/goals.js';
import type { Product } from '../../fixtures/webshop/product.js';

/** A product with every field WebShop's reward reads; tests override what they exercise. */
export const makeProduct = (overrides: Partial<Product> = {}): Product => ({
  asin: 'B000000001',
  name: 'Name 1',
  Title: '',
  Description: '',
  BulletPoints: [],
  pricing: [35],
  Price: '$35.0',
  options: [],
  Attributes: [],
  category: 'beauty',
  query: 'Query 1',
  product_category: 'a › b › c',
  MainImage: '',
  Rating: 'N.A.',
  Reviews: [],
  instructionText: null,
  instructionAttributes: null,
  ...overrides,
});

export const makeGoal = (overrides: Partial<Goal> = {}): Goal => ({
  asin: 'B000000001',
  category: 'beauty',
  query: 'Query 1',
  name: 'Name 1',
  product_category: 'a › b › c',
  instruction_text: 'find me something',
  attributes: [],
  price_upper: 40,
  goal_options: [],
  weight: 1,
  kind: 'synthetic',
  ...overrides,
});
