import type { Page } from 'playwright-core';

/** Parents whose text never counts (WebShop's `tag_visible`). */
export const IGNORED_PARENTS = ['style', 'script', 'head', 'title', 'meta'] as const;

/**
 * The reference "simple" text extraction, run in the page in one evaluation: every text node in
 * document order, skipping those under ignored parents and whitespace-only ones, trimmed, joined
 * with ' [SEP] '. Hidden text counts (textContent, not innerText), as WebShop's parser sees it.
 * A string, not a function, so no bundler helper can leak into the serialized code.
 */
export const SIMPLE_TEXT_SCRIPT = `(() => {
  const ignored = new Set(${JSON.stringify(IGNORED_PARENTS.map((t) => t.toUpperCase()))});
  const walker = document.createTreeWalker(document, NodeFilter.SHOW_TEXT);
  const parts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentNode;
    if (parent && parent.nodeType === 1 && ignored.has(parent.nodeName.toUpperCase())) continue;
    const text = (node.nodeValue || '').trim();
    if (text) parts.push(text);
  }
  return parts.join(' [SEP] ');
})()`;

export const extractSimpleText = (page: Page): Promise<string> => page.evaluate(SIMPLE_TEXT_SCRIPT) as Promise<string>;

/**
 * Every text node of the document in order, raw (untrimmed, whitespace-only ones included), with
 * its parent's lower-case tag name and class attribute, minus those under ignored parents: the
 * input of the pure text converters (adapters/webshop/webshop-text-rules.ts).
 */
export const TEXT_NODES_SCRIPT = `(() => {
  const ignored = new Set(${JSON.stringify(IGNORED_PARENTS.map((t) => t.toUpperCase()))});
  const walker = document.createTreeWalker(document, NodeFilter.SHOW_TEXT);
  const nodes = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || ignored.has(parent.nodeName.toUpperCase())) continue;
    const text = node.nodeValue || '';
    if (text) nodes.push({ text, parent: parent.nodeName.toLowerCase(), parentClass: parent.getAttribute('class') });
  }
  return nodes;
})()`;
