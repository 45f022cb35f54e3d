import { selectAll, simpleTextOf, textContent, textNodes, type HtmlDocument, type HtmlNode } from '../http/html-document.js';
import type { WebShopPageSnapshot } from './webshop-page-snapshot.js';

/** What WebShop's server renders on every page: without one of these the page is not WebShop's HTML. */
export const WEBSHOP_SERVER_MARKERS = '#instruction-text, #search_input, #reward, .btn, .product-link';

const RICH_IGNORED = new Set(['style', 'script', 'head', 'title', 'meta']);

/** A radio's `value` as the DOM reports it: its attribute, `on` when it has none. */
export const radioValue = (el: HtmlNode): string => el.attribs?.['value'] ?? 'on';

/** The rich text by the browser path's rules (webshop-page-snapshot.ts), computed from the HTML. */
const richTextOf = (doc: HtmlDocument): string => {
  let url = doc.url;
  try {
    url = decodeURIComponent(url);
  } catch {
    // A URL that does not decode is compared as it is, as in the page.
  }
  let out = '';
  let clicked = '';
  for (const { text, parent } of textNodes(doc)) {
    const name = (parent?.name ?? '').toLowerCase();
    if (!parent || RICH_IGNORED.has(name)) continue;
    const t = text.trim();
    if (!t) continue;
    if (name === 'button') out += `[button] ${t} [button_]\n`;
    else if (name === 'label') {
      if (url.includes(`'${t}'`)) {
        out += `  [clicked button] ${t} [clicked button_]\n`;
        clicked += `You have clicked ${t}.\n`;
      } else out += `  [button] ${t} [button_]\n`;
    } else if ((parent.attribs?.['class'] ?? '').split(/\s+/).includes('product-link')) out += `\n[button] ${t} [button_]\n`;
    else out += `\n${t} \n`;
  }
  return clicked + out;
};

/**
 * The snapshot the browser path takes of a WebShop page (webshop-page-snapshot.ts), by the same
 * rules, from the HTML alone: text, clickables (`.btn` texts, then `.product-link` texts,
 * lower-cased, then radio values, each once), instruction, search bar, reward and option URLs.
 */
export const snapshotWebShopHtml = (doc: HtmlDocument, rich = false): WebShopPageSnapshot => {
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
  return {
    url: doc.url,
    text: simpleTextOf(doc),
    richText: rich ? richTextOf(doc) : '',
    instruction: instructionEl ? textContent(instructionEl).replace(/^\s*Instruction:\s*/, '').trim() : null,
    hasSearchBar: selectAll(doc, '#search_input').length > 0,
    clickables,
    reward: reward ? textContent(reward).trim() : null,
    rewardInfo: rewardInfo ? textContent(rewardInfo) : null,
    radioUrls,
  };
};
