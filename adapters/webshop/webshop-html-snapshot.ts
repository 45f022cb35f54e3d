import { selectAll, textContent, textNodes, type HtmlDocument, type HtmlNode } from '../http/html-document.js';
import { IGNORED_PARENTS, simpleText, type WebShopTextNode } from './webshop-text-rules.js';

const IGNORED = new Set<string>(IGNORED_PARENTS);
import type { WebShopPageSnapshot } from './webshop-page-snapshot.js';

/** What WebShop's server renders on every page: without one of these the page is not WebShop's HTML. */
export const WEBSHOP_SERVER_MARKERS = '#instruction-text, #search_input, #reward, .btn, .product-link';

/** A radio's `value` as the DOM reports it: its attribute, `on` when it has none. */
export const radioValue = (el: HtmlNode): string => el.attribs?.['value'] ?? 'on';

/**
 * The page's text nodes as the browser path's page script returns them (adapters/browser/dom-text.ts
 * TEXT_NODES_SCRIPT): non-empty text nodes whose parent is an element not ignored, in document order.
 * The simple and rich texts are then computed from them by the same pure rules.
 */
export const webShopTextNodesOf = (doc: HtmlDocument): WebShopTextNode[] => {
  const nodes: WebShopTextNode[] = [];
  for (const { text, parent } of textNodes(doc)) {
    const name = (parent?.name ?? '').toLowerCase();
    if (!parent || name === '' || IGNORED.has(name) || text === '') continue;
    nodes.push({ text, parent: name, parentClass: parent.attribs?.['class'] ?? null });
  }
  return nodes;
};

/**
 * The snapshot the browser path takes of a WebShop page (webshop-page-snapshot.ts), by the same
 * rules, from the HTML alone: text, clickables (`.btn` texts, then `.product-link` texts,
 * lower-cased, then radio values, each once), instruction, search bar, reward and option URLs.
 */
export const snapshotWebShopHtml = (doc: HtmlDocument): WebShopPageSnapshot => {
  const clickables: string[] = [];
  const add = (value: string): void => {
    if (!clickables.includes(value)) clickables.push(value);
  };
  const lower = (el: HtmlNode): string => textContent(el).trim().toLowerCase();
  for (const el of selectAll(doc, '.btn')) add(lower(el));
  for (const el of selectAll(doc, '.product-link')) add(lower(el));
  const radioUrls: Record<string, string> = {};
  for (const el of selectAll(doc, 'input[type="radio"]')) {
    const value = radioValue(el);
    add(value);
    const dataUrl = el.attribs?.['data-url'];
    if (dataUrl && !(value in radioUrls)) radioUrls[value] = dataUrl;
  }
  const instructionEl = selectAll(doc, '#instruction-text h4')[0];
  const reward = selectAll(doc, '#reward pre')[0];
  const rewardInfo = selectAll(doc, '#reward_info pre')[0];
  const nodes = webShopTextNodesOf(doc);
  return {
    url: doc.url,
    text: simpleText(nodes),
    nodes,
    instruction: instructionEl ? textContent(instructionEl).replace(/^\s*Instruction:\s*/, '').trim() : null,
    hasSearchBar: selectAll(doc, '#search_input').length > 0,
    clickables,
    reward: reward ? textContent(reward).trim() : null,
    rewardInfo: rewardInfo ? textContent(rewardInfo) : null,
    radioUrls,
  };
};
