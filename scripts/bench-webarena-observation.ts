/**
 * Benchmark of the WebArena observation (one DOM walk per frame) against Playwright's own
 * `locator('body').ariaSnapshot()` on the same page, in the same run, samples alternating so that
 * both see the same machine state. Pages are realistic listings: a header with navigation and a
 * search form, then a table whose rows hold a link, a price, a quantity field, a button and a
 * checkbox with its label, grown until the document has the requested number of elements.
 */
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { launchChromium } from '../adapters/browser/launch.js';
import { observeWebArenaPage } from '../adapters/webarena/webarena-observation.js';
import { median, percentile } from './lib/stats.js';

export interface BenchWebArenaObservationOptions {
  /** DOM element counts to build pages of. Default: [1000, 2500]. */
  sizes?: readonly number[];
  /** Samples per method and size. Default: 25. */
  samples?: number;
}

export interface ObservationBenchRow {
  elements: number;
  lines: number;
  observe: { medianMs: number; p95Ms: number };
  ariaSnapshot: { medianMs: number; p95Ms: number };
  /** observe median / ariaSnapshot median. */
  ratio: number;
}

const HEAD = `<header><a href="/">Shop</a><nav><ul>${['Home', 'Orders', 'Customers', 'Reports', 'Settings']
  .map((x) => `<li><a href="/${x.toLowerCase()}">${x}</a></li>`)
  .join('')}</ul></nav><form role="search"><label for="q">Search</label><input id="q" type="search" placeholder="Search products"><button>Go</button></form></header>`;

const row = (i: number): string =>
  `<tr><td><a href="/item/${i}" title="Item ${i}">Item ${i} — stainless bottle, ${i % 7} colours</a></td><td><span class="price">$${i}.99</span></td>` +
  `<td><input type="number" value="1" aria-label="Quantity for item ${i}"></td><td><button type="button">Add to cart</button></td>` +
  `<td><label><input type="checkbox"> Compare</label></td></tr>`;

/** A listing page with about `elements` elements (counted in the browser, then trimmed to fit). */
export const buildListingPage = async (page: Page, elements: number): Promise<number> => {
  const perRow = 12;
  const fixed = 30;
  let rows = Math.max(1, Math.round((elements - fixed) / perRow));
  for (;;) {
    const html = `<!doctype html><html><head><title>Catalog · ${elements}</title></head><body>${HEAD}<main><h1>Products</h1><table><thead><tr><th>Name</th><th>Price</th><th>Qty</th><th></th><th></th></tr></thead><tbody>${Array.from({ length: rows }, (_, i) => row(i + 1)).join('')}</tbody></table></main><footer><p>© Shop</p></footer></body></html>`;
    await page.setContent(html);
    const count = (await page.evaluate('document.getElementsByTagName("*").length')) as number;
    if (count >= elements || rows > 10_000) return count;
    rows += Math.ceil((elements - count) / perRow);
  }
};

const summary = (samples: readonly number[]) => ({ medianMs: median(samples), p95Ms: percentile(samples, 95) });

export const benchWebArenaObservation = async (options: BenchWebArenaObservationOptions = {}): Promise<ObservationBenchRow[]> => {
  const sizes = options.sizes ?? [1000, 2500];
  const samples = options.samples ?? 25;
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const rows: ObservationBenchRow[] = [];
    for (const size of sizes) {
      const elements = await buildListingPage(page, size);
      let idBase = 0;
      const observe = async () => {
        const o = await observeWebArenaPage(page, { tabs: [{ title: 'Catalog', current: true }], idBase });
        idBase = o.maxId;
        return o.nodes.length;
      };
      const aria = () => page.locator('body').ariaSnapshot();
      for (let i = 0; i < 3; i += 1) {
        await observe();
        await aria();
      }
      const ours: number[] = [];
      const theirs: number[] = [];
      let lines = 0;
      for (let i = 0; i < samples; i += 1) {
        // Alternate which goes first, so neither always runs on a warmer page.
        const order = i % 2 === 0 ? ['observe', 'aria'] : ['aria', 'observe'];
        for (const which of order) {
          const started = performance.now();
          if (which === 'observe') lines = await observe();
          else await aria();
          (which === 'observe' ? ours : theirs).push(performance.now() - started);
        }
      }
      const a = summary(ours);
      const b = summary(theirs);
      rows.push({ elements, lines, observe: a, ariaSnapshot: b, ratio: a.medianMs / b.medianMs });
    }
    return rows;
  } finally {
    await browser.close();
  }
};

const fmtMs = (ms: number): string => ms.toFixed(1);

/** `node --import tsx scripts/bench-webarena-observation.ts [samples]`: a Markdown table on stdout. */
const main = async (): Promise<void> => {
  const samples = Number(process.argv[2] ?? 25);
  const rows = await benchWebArenaObservation({ samples });
  console.log(`| elements | lines | observeWebArenaPage median / p95 (ms) | ariaSnapshot median / p95 (ms) | ratio |`);
  console.log(`|---|---|---|---|---|`);
  for (const r of rows) {
    console.log(`| ${r.elements} | ${r.lines} | ${fmtMs(r.observe.medianMs)} / ${fmtMs(r.observe.p95Ms)} | ${fmtMs(r.ariaSnapshot.medianMs)} / ${fmtMs(r.ariaSnapshot.p95Ms)} | ${r.ratio.toFixed(2)} |`);
  }
  console.log(`targets: ≤ 100 ms median at ~1,000 elements, ratio ≤ 1.3 (${samples} samples per method and size, alternating)`);
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
