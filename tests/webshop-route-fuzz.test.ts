import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzPath, fuzzRandom } from './helpers/route-fuzz.js';
import { startFixture, type FixtureHandle } from './helpers/webshop-fixture.js';

let fixture: FixtureHandle;

beforeAll(async () => {
  fixture = await startFixture({ seed: 0, size: 100 });
});

afterAll(async () => {
  await fixture?.running.close();
});

// `npm run stress` runs the same fuzzing with many more requests.
describe('WebShop fixture under fuzzed routes', () => {
  it('answers every malformed request with a 4xx page, never a 500, and stays up', async () => {
    const random = fuzzRandom('route-fuzz-test');
    const asin = fixture.site.products[0]!.asin;
    const statuses = new Map<number, number>();
    for (let i = 0; i < 400; i += 1) {
      const path = fuzzPath(random, asin);
      const method = random() < 0.5 ? 'GET' : 'POST';
      const res = await fetch(`${fixture.url}${path}`, { method, redirect: 'manual' });
      const body = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect([200, 302, 400, 404], `${method} ${path}: ${body.slice(0, 300)}`).toContain(res.status);
    }
    expect(statuses.get(400) ?? 0).toBeGreaterThan(50);
    expect((await fetch(`${fixture.url}/fixed_1`)).status).toBe(200);
  });
});
