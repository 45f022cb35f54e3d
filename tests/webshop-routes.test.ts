import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleTextFromHtml } from './helpers/html-simple-text.js';
import { getText, startFixture, type FixtureHandle } from './helpers/webshop-fixture.js';

let fixture: FixtureHandle;
let asin: string;

beforeAll(async () => {
  fixture = await startFixture({ seed: 1, size: 300 });
  asin = fixture.site.products[0]!.asin;
});

afterAll(async () => {
  await fixture?.running.close();
});

const instructionOf = (html: string): string => simpleTextFromHtml(html).split(' [SEP] ')[2] ?? '';

describe('WebShop fixture routes', () => {
  it('redirects / to a default session', async () => {
    const res = await getText(`${fixture.url}/`);
    expect(res.status).toBe(302);
    expect(res.location).toBe('/abc');
  });

  it('a search POST redirects with the keywords as a quoted Python list repr', async () => {
    const res = await getText(`${fixture.url}/fixed_3`, {
      method: 'POST',
      body: new URLSearchParams({ search_query: 'Red Shoes' }),
    });
    expect(res.status).toBe(302);
    expect(res.location).toBe('/search_results/fixed_3/%5B%27red%27%2C%20%27shoes%27%5D/1');
  });

  it('accepts a plain-string keyword as one keyword', async () => {
    const plain = await getText(`${fixture.url}/search_results/fixed_3/shoes/1`);
    const list = await getText(`${fixture.url}/search_results/fixed_3/${encodeURIComponent("['shoes']")}/1`);
    expect(plain.status).toBe(200);
    expect(plain.body).toBe(list.body);
  });

  it('serves URL-encoded item pages as real WebShop logs write them', async () => {
    const res = await getText(`${fixture.url}/item_page/fixed_3/${asin}/%5B%27teen%27%2C%20%27girl%27%5D/1/%7B%27size%27:%20%278%27%7D`);
    expect(res.status).toBe(200);
    expect(res.body).toContain('<button type="submit" class="btn btn-lg purchase">Buy Now</button>');
    // Links keep the keywords and options, quoted the same way.
    expect(res.body).toContain(`/done/fixed_3/${asin}/%7B%27size%27:%20%278%27%7D`);
  });

  it('answers 400 naming the parameter for malformed literals and pages', async () => {
    const cases: Array<[string, string]> = [
      [`/item_page/fixed_1/${asin}/x/1/%7B%27size%27`, '<options>'],
      [`/item_page/fixed_1/${asin}/x/1/__import__(%27os%27)`, '<options>'],
      [`/search_results/fixed_1/%5B%27a%27%2C/1`, '<keywords>'],
      [`/search_results/fixed_1/%5B1%2C%202%5D/1`, '<keywords>'],
      [`/search_results/fixed_1/shoes/abc`, '<page>'],
      [`/search_results/fixed_1/shoes/0`, '<page>'],
      [`/item_sub_page/fixed_1/${asin}/x/1/Secrets/%7B%7D`, 'sub-page'],
      [`/done/fixed_1/${asin}/%5B%5D`, '<options>'],
      [`/fixedfoo`, 'does not end in _<N>'],
      [`/search_results/fixed_1/%E0%A4%A/1`, '400'],
    ];
    for (const [path, mention] of cases) {
      const res = await getText(`${fixture.url}${path}`);
      expect(res.status, path).toBe(400);
      expect(simpleTextFromHtml(res.body), path).toContain(mention);
    }
  });

  it('answers 404 for an unknown product and a goal index out of range', async () => {
    const missing = await getText(`${fixture.url}/item_page/fixed_1/B0NOTHERE0/x/1/%7B%7D`);
    expect(missing.status).toBe(404);
    expect(simpleTextFromHtml(missing.body)).toContain('B0NOTHERE0');
    const range = await getText(`${fixture.url}/fixed_999999`);
    expect(range.status).toBe(404);
    expect(simpleTextFromHtml(range.body)).toContain(`goal index 999999 is out of range: this site has goals 0 to ${fixture.site.goals.length - 1}`);
    const unknown = await getText(`${fixture.url}/no/such/route/here/at/all/x`);
    expect(unknown.status).toBe(404);
    // The server is still up after all of that.
    expect((await getText(`${fixture.url}/fixed_1`)).status).toBe(200);
  });

  it('derives goals from session ids alone: fixed ids by index, others by a seeded hash', async () => {
    const g17 = instructionOf((await getText(`${fixture.url}/fixed_17`)).body);
    expect(g17).toBe(fixture.site.goals[17]!.instruction_text);
    expect(instructionOf((await getText(`${fixture.url}/fixedrun42_17`)).body)).toBe(g17);
    const a = instructionOf((await getText(`${fixture.url}/someone`)).body);
    expect(instructionOf((await getText(`${fixture.url}/someone`)).body)).toBe(a);
    const others = new Set<string>();
    for (let i = 0; i < 20; i += 1) others.add(instructionOf((await getText(`${fixture.url}/user${i}`)).body));
    expect(others.size).toBeGreaterThan(5);
  });

  it('is stateless: a page fetched again later, or by a second client, is byte-identical', async () => {
    const paths = [
      '/fixed_5',
      `/search_results/fixed_5/${encodeURIComponent("['natural', 'hair']")}/2`,
      `/item_page/fixed_5/${asin}/x/1/%7B%7D`,
      `/item_sub_page/fixed_5/${asin}/x/1/Features/%7B%7D`,
      `/done/fixed_5/${asin}/%7B%7D`,
      `/search_results/fixed_5/${encodeURIComponent("['<r>']")}/1`,
    ];
    const first = await Promise.all(paths.map(async (p) => (await getText(`${fixture.url}${p}`)).body));
    // Visit other sessions in between, then fetch again from a fresh connection.
    await getText(`${fixture.url}/done/fixed_6/${asin}/%7B%7D`);
    const again = await Promise.all(paths.map(async (p) => (await getText(`${fixture.url}${p}`, { headers: { connection: 'close' } })).body));
    expect(again).toEqual(first);
  });

  it('shows the Attributes tab only with --attrs', async () => {
    const withAttrs = await startFixture({ seed: 1, size: 300, showAttrs: true });
    try {
      const on = await getText(`${withAttrs.url}/item_page/fixed_1/${asin}/x/1/%7B%7D`);
      expect(simpleTextFromHtml(on.body)).toContain('Reviews [SEP] Attributes [SEP] Buy Now');
      const off = await getText(`${fixture.url}/item_page/fixed_1/${asin}/x/1/%7B%7D`);
      expect(simpleTextFromHtml(off.body)).toContain('Reviews [SEP] Buy Now');
    } finally {
      await withAttrs.running.close();
    }
  });

  it('search ranks the products of a query first and returns at most 50', async () => {
    const product = fixture.site.products[10]!;
    const res = await getText(`${fixture.url}/search_results/fixed_1/${encodeURIComponent(`['${product.query.split(' ').join("', '")}']`)}/1`);
    const text = simpleTextFromHtml(res.body);
    const total = Number(/Total results: (\d+)/.exec(text)?.[1]);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(50);
    const firstAsin = /Next > \[SEP\] (B0[A-Z0-9]{8})/.exec(text)?.[1];
    expect(fixture.site.productByAsin.get(firstAsin!)!.query).toBe(product.query);
  });
});
