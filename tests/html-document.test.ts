import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../adapters/browser/launch.js';
import { childrenOf, isElement, parseHtmlDocument, selectAll, selectOne, textContent, textNodes, type HtmlDocument, type HtmlNode } from '../adapters/http/html-document.js';

/**
 * The http transport reads pages with parse5's tree and css-select over it; the browser path
 * reads the same pages with Chromium's DOM. Both must find the same elements and the same text,
 * on well-formed pages and on the malformed HTML the parser repairs.
 */
const PAGES: Record<string, string> = {
  malformed: `<p class="btn A">one<p class="x btn">two<div><span id="s">three</div><b><i>four</b>five</i>
    <table><tr><td>cell</td></tr><span class="btn">fostered</span></table>
    <ul><li>a<li class="product-link">b<li>c</ul><input type=RADIO value=v1><input type="radio" name=r><input type="Radio" value="v3">`,
  forms: `<html><head><base href="/root/"><title>t</title><style>.btn{}</style><script>var x = "<b>not a tag</b>";</script></head>
    <body><form id="f" action="go"><input id="search_input" name="q"><button type="submit">Go</button><select name="s"><option>1<option selected>2</select></form>
    <button form="f" class="btn">Outside</button><template><span class="btn">in a template</span></template><noscript><p>ns</p></noscript>
    <div id="reward"><pre>1.0</pre></div><div id="instruction-text"><h4>Instruction: <i>buy</i> it</h4></div>&nbsp;&amp;&lt;x&gt;<!-- comment --></body></html>`,
};

const SELECTORS = [
  '.btn',
  '.product-link',
  'input[type="radio"]',
  '#instruction-text h4',
  '#reward pre',
  '#search_input',
  'form',
  '[type="submit"]',
  'li + li',
  'li ~ .product-link',
  'td, span',
  'p:not(.x)',
  'base[href]',
  'option',
  'body > *',
];

/** An element's position: child-element indices from the document element down. */
const pathOf = (node: HtmlNode): string => {
  const parts: number[] = [];
  for (let at: HtmlNode = node; 'parentNode' in at && at.parentNode; at = at.parentNode) {
    const siblings = childrenOf(at.parentNode).filter(isElement);
    parts.unshift(siblings.indexOf(at as never));
  }
  return parts.join('/');
};

const BROWSER_PATH = `(el) => { const parts = []; for (let at = el; at.parentNode; at = at.parentNode) parts.unshift(Array.prototype.indexOf.call(at.parentNode.children, at)); return parts.join('/'); }`;

let browser: Browser;
let page: Page;

const load = async (html: string): Promise<HtmlDocument> => {
  await page.route('http://shop.test/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: html }));
  await page.goto('http://shop.test/a/b?x=1');
  await page.unrouteAll();
  return parseHtmlDocument(html, 'http://shop.test/a/b?x=1');
};

beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.newPage();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe('parse5 with css-select reads a page as Chromium does', () => {
  for (const [name, html] of Object.entries(PAGES)) {
    it(`finds the same elements for every selector, and the same text, on the ${name} page`, async () => {
      const doc = await load(html);
      for (const selector of SELECTORS) {
        const inBrowser = await page.evaluate(([sel, fn]) => [...document.querySelectorAll(sel)].map((el) => (eval(fn) as (e: Element) => string)(el)), [selector, BROWSER_PATH] as const);
        expect(selectAll(doc, selector).map(pathOf), selector).toEqual(inBrowser);
        expect(selectOne(doc, selector) && pathOf(selectOne(doc, selector)!), selector).toEqual(inBrowser[0]);
      }
      const browserText = await page.evaluate(() => {
        const walker = document.createTreeWalker(document, NodeFilter.SHOW_TEXT);
        const out: Array<[string, string]> = [];
        for (let n = walker.nextNode(); n; n = walker.nextNode()) out.push([n.textContent ?? '', n.parentElement?.tagName.toLowerCase() ?? '']);
        return { nodes: out, body: document.body.textContent, base: document.baseURI };
      });
      expect(textNodes(doc).map((n) => [n.text, n.parent ? n.parent.tagName : ''])).toEqual(browserText.nodes);
      expect(textContent(selectOne(doc, 'body')!)).toEqual(browserText.body);
      expect(doc.baseUrl).toBe(browserText.base);
    });
  }

  it('searches below a scope element only, as querySelectorAll on an element does', async () => {
    const doc = await load(PAGES['forms']!);
    const form = selectOne(doc, 'form')!;
    expect(selectAll(doc, 'option', form).map(textContent)).toEqual(['1', '2']);
    expect(selectAll(doc, 'form', form)).toEqual([]);
    expect(selectOne(doc, '.btn', form)).toBeUndefined();
  });
});
