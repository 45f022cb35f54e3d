import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotWebShopPage } from '../adapters/webshop/webshop-page-snapshot.js';
import { launchChromium } from '../adapters/browser/launch.js';
import { simpleTextFromHtml } from './helpers/html-simple-text.js';
import { referenceSimpleText } from './helpers/reference-text.js';
import { startFixture, type FixtureHandle } from './helpers/webshop-fixture.js';

let fixture: FixtureHandle;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  [fixture, browser] = await Promise.all([startFixture({ seed: 0, size: 1000 }), launchChromium()]);
  context = await browser.newContext();
  page = await context.newPage();
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await fixture?.running.close();
});

/**
 * The observation computed in headless Chromium must equal the independent parse5 implementation
 * over the raw HTML of the same URL (and the product's own cheerio version used without a browser).
 */
const observe = async (): Promise<string> => {
  const inBrowser = (await snapshotWebShopPage(page)).text;
  const raw = await (await fetch(page.url())).text();
  expect(inBrowser).toBe(referenceSimpleText(raw));
  expect(simpleTextFromHtml(raw)).toBe(inBrowser);
  return inBrowser;
};

const submit = async (selector: string): Promise<void> => {
  await Promise.all([page.waitForNavigation({ waitUntil: 'domcontentloaded' }), page.click(selector)]);
};

describe('WebShop fixture pages in Chromium', () => {
  it('walks search → results → item → options → sub-pages → done with reference-format observations', async () => {
    const goal = fixture.site.goals[1500]!;
    await page.goto(`${fixture.url}/fixed_1500`);
    const search = await observe();
    expect(search).toBe(`WebShop [SEP] Instruction: [SEP] ${goal.instruction_text} [SEP] Search`);

    await page.fill('#search_input', goal.query);
    await submit('form#form-buscar button[type=submit]');
    expect(page.url()).toContain('/search_results/fixed_1500/');
    const results = await observe();
    expect(results).toMatch(
      /^Instruction: \[SEP\] .+ \[SEP\] Back to Search \[SEP\] Page 1 \(Total results: \d+\) \[SEP\] Next > \[SEP\] B0[A-Z0-9]{8} \[SEP\] .+ \[SEP\] \$[\d.]+/,
    );
    expect(results).not.toContain('< Prev');
    expect(await page.locator('.list-group-item').count()).toBe(10);

    await submit('button.btn-primary:has-text("Next >")');
    const page2 = await observe();
    expect(page2).toContain('[SEP] Page 2 (Total results: ');
    expect(page2).toContain(') [SEP] < Prev [SEP] Next > [SEP] ');
    await submit('button.btn-primary:has-text("< Prev")');
    expect(await observe()).toBe(results);

    // Open the goal's own product if it is on page 1, else the first result.
    const target = page.locator(`a.product-link:text-is("${goal.asin}")`);
    const link = (await target.count()) > 0 ? target : page.locator('a.product-link').first();
    const asin = (await link.textContent())!.trim();
    await Promise.all([page.waitForNavigation(), link.click()]);
    const item = await observe();
    const product = fixture.site.productByAsin.get(asin)!;
    expect(item).toMatch(/^Instruction: \[SEP\] .+ \[SEP\] Back to Search \[SEP\] < Prev \[SEP\] /);
    expect(item).toContain(`[SEP] ${product.Title} [SEP] Price: ${product.Price} [SEP] Rating: N.A. [SEP] Description [SEP] Features [SEP] Reviews [SEP] Buy Now`);
    expect(item).not.toContain('Attributes');
    for (const [name, values] of product.options) expect(item).toContain(`[SEP] ${name} [SEP] ${values.join(' [SEP] ')} [SEP]`);

    if (product.options.length > 0) {
      const [name, values] = product.options[0]!;
      const value = values.at(-1)!;
      const radio = page.locator(`input[type=radio][name="${name}"][value="${value}"]`);
      await Promise.all([page.waitForNavigation(), radio.click()]);
      expect(decodeURIComponent(page.url())).toContain(`{'${name}': '${value}'}`);
      expect(await page.locator(`input[type=radio][name="${name}"][value="${value}"]`).isChecked()).toBe(true);
      // Chosen options are not visible in the simple text mode.
      expect(await observe()).toBe(item);
    }
    const itemUrl = page.url();

    await submit('button:has-text("Description")');
    const description = await observe();
    expect(description).toBe(`Instruction: [SEP] ${goal.instruction_text} [SEP] Back to Search [SEP] < Prev${product.Description ? ` [SEP] ${product.Description}` : ''}`);
    await submit('button:has-text("< Prev")');
    expect(page.url()).toBe(itemUrl);

    await submit('button:has-text("Features")');
    expect(await observe()).toBe(
      `Instruction: [SEP] ${goal.instruction_text} [SEP] Back to Search [SEP] < Prev [SEP] ${product.BulletPoints.map((b) => b.trim()).join(' [SEP] ')}`,
    );
    await submit('button:has-text("< Prev")');
    await submit('button:has-text("Reviews")');
    expect(await observe()).toBe(`Instruction: [SEP] ${goal.instruction_text} [SEP] Back to Search [SEP] < Prev`); // no reviews: master's template renders nothing
    await submit('button:has-text("< Prev")');

    await submit('button.purchase');
    const done = await observe();
    expect(done).toMatch(
      /^Thank you for shopping with us! \[SEP\] Your code: \[SEP\] [0-9A-F]{10} \[SEP\] \(Paste it in your MTurk interface\.\) \[SEP\] Purchased \[SEP\] asin \[SEP\] /,
    );
    expect(done).toContain('[SEP] Your score (min 0.0, max 1.0) [SEP] ');
    const reward = Number(await page.locator('#reward pre').textContent());
    expect(reward).toBeGreaterThanOrEqual(0);
    expect(reward).toBeLessThanOrEqual(1);
    const info = await page.locator('#reward_info pre').textContent();
    expect(info).toMatch(/'r_type': /);
    expect(info).toMatch(/'r_att': /);
    expect(await page.locator('#reward').isVisible()).toBe(true);
    expect(await page.locator('#reward_info').isVisible()).toBe(false);
  });

  it('Back to Search keeps the goal and returns the search page', async () => {
    await page.goto(`${fixture.url}/search_results/fixed_7/%5B%27gift%27%5D/1`);
    await submit('button:has-text("Back to Search")');
    expect(await observe()).toBe(`WebShop [SEP] Instruction: [SEP] ${fixture.site.goals[7]!.instruction_text} [SEP] Search`);
  });

  it('a perfect purchase of the goal product with its options scores 1.0', async () => {
    // Find a goal whose budget the hidden price fits, and buy exactly it.
    const index = fixture.site.goals.findIndex((g) => (fixture.site.prices.get(g.asin) ?? Infinity) <= g.price_upper);
    const goal = fixture.site.goals[index]!;
    const options = `{${(goal.goal_options as Array<[string, string]>).map(([k, v]) => `'${k}': '${v}'`).join(', ')}}`;
    await page.goto(`${fixture.url}/item_page/fixed_${index}/${goal.asin}/${encodeURIComponent("['x']")}/1/${encodeURIComponent(options)}`);
    await submit('button.purchase');
    expect(await page.locator('#reward pre').textContent()).toBe('1.0');
    await observe();
  });
});
