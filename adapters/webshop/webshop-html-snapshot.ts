import { attr, childrenOf, isElement, tagOf, textContent, textNodes, type HtmlDocument, type HtmlNode } from '../http/html-document.js';
import { IGNORED_PARENTS, simpleText, type WebShopTextNode } from './webshop-text-rules.js';

const IGNORED = new Set<string>(IGNORED_PARENTS);
import type { WebShopPageSnapshot } from './webshop-page-snapshot.js';

/** What WebShop's server renders on every page: without one of these the page is not WebShop's HTML. */
export const WEBSHOP_SERVER_MARKERS = '#instruction-text, #search_input, #reward, .btn, .product-link';

/** A radio's `value` as the DOM reports it: its attribute, `on` when it has none. */
export const radioValue = (el: HtmlNode): string => attr(el, 'value') ?? 'on';

/**
 * The page's text nodes as the browser path's page script returns them (adapters/browser/dom-text.ts
 * TEXT_NODES_SCRIPT): non-empty text nodes whose parent is an element not ignored, in document order.
 * The simple and rich texts are then computed from them by the same pure rules.
 */
export const webShopTextNodesOf = (doc: HtmlDocument): WebShopTextNode[] => {
  const nodes: WebShopTextNode[] = [];
  for (const { text, parent } of textNodes(doc)) {
    if (!parent || text === '') continue;
    const name = tagOf(parent);
    if (IGNORED.has(name)) continue;
    nodes.push({ text, parent: name, parentClass: attr(parent, 'class') ?? null });
  }
  return nodes;
};

/** Whether `el`'s class list (whitespace-separated, as `classList`) holds `name`. */
const hasClass = (el: HtmlNode, name: string): boolean => {
  const list = attr(el, 'class');
  return list !== undefined && list.split(/[\t\n\f\r ]+/).includes(name);
};

/** The elements the snapshot reads, found in one walk over the document, each list in document order. */
interface PageElements {
  buttons: HtmlNode[];
  productLinks: HtmlNode[];
  radios: HtmlNode[];
  /** The first match of `#instruction-text h4`, `#reward pre`, `#reward_info pre`. */
  instruction: HtmlNode | undefined;
  reward: HtmlNode | undefined;
  rewardInfo: HtmlNode | undefined;
  searchInput: boolean;
}

/**
 * One depth-first walk instead of a selector engine pass per selector (seven passes were a
 * fifth of an http step's client time). The matches are those of the selectors the browser path
 * runs: `.btn`, `.product-link`, `input[type="radio"]` (the type compared ASCII case-insensitively,
 * as HTML documents match it), `#instruction-text h4`, `#reward pre`, `#reward_info pre`,
 * `#search_input`.
 */
const pageElementsOf = (doc: HtmlDocument): PageElements => {
  const found: PageElements = { buttons: [], productLinks: [], radios: [], instruction: undefined, reward: undefined, rewardInfo: undefined, searchInput: false };
  const visit = (node: HtmlNode, inInstruction: boolean, inReward: boolean, inRewardInfo: boolean): void => {
    let instruction = inInstruction;
    let reward = inReward;
    let rewardInfo = inRewardInfo;
    if (isElement(node)) {
      const name = node.tagName;
      const id = attr(node, 'id');
      if (hasClass(node, 'btn')) found.buttons.push(node);
      if (hasClass(node, 'product-link')) found.productLinks.push(node);
      if (name === 'input' && attr(node, 'type')?.toLowerCase() === 'radio') found.radios.push(node);
      if (name === 'h4' && instruction && found.instruction === undefined) found.instruction = node;
      if (name === 'pre' && reward && found.reward === undefined) found.reward = node;
      if (name === 'pre' && rewardInfo && found.rewardInfo === undefined) found.rewardInfo = node;
      if (id === 'search_input') found.searchInput = true;
      if (id === 'instruction-text') instruction = true;
      if (id === 'reward') reward = true;
      if (id === 'reward_info') rewardInfo = true;
    }
    for (const child of childrenOf(node)) visit(child, instruction, reward, rewardInfo);
  };
  visit(doc.root, false, false, false);
  return found;
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
  const page = pageElementsOf(doc);
  for (const el of page.buttons) add(lower(el));
  for (const el of page.productLinks) add(lower(el));
  const radioUrls: Record<string, string> = {};
  for (const el of page.radios) {
    const value = radioValue(el);
    add(value);
    const dataUrl = attr(el, 'data-url');
    if (dataUrl && !(value in radioUrls)) radioUrls[value] = dataUrl;
  }
  const nodes = webShopTextNodesOf(doc);
  return {
    url: doc.url,
    text: simpleText(nodes),
    nodes,
    instruction: page.instruction ? textContent(page.instruction).replace(/^\s*Instruction:\s*/, '').trim() : null,
    hasSearchBar: page.searchInput,
    clickables,
    reward: page.reward ? textContent(page.reward).trim() : null,
    rewardInfo: page.rewardInfo ? textContent(page.rewardInfo) : null,
    radioUrls,
  };
};
