import type { Page } from 'playwright-core';
import { SIMPLE_TEXT_SCRIPT } from '../browser/dom-text.js';

/** Everything the adapter reads from a WebShop page, gathered in one page evaluation. */
export interface WebShopPageSnapshot {
  url: string;
  text: string;
  /** Empty unless the rich text was asked for. */
  richText: string;
  instruction: string | null;
  hasSearchBar: boolean;
  /** WebShop's definition: `.btn` texts, then `a.product-link` texts (lower-cased), then radio values. */
  clickables: string[];
  reward: string | null;
  rewardInfo: string | null;
  /** Option radio value → its data-url, so choosing an option needs no extra round trip. */
  radioUrls: Record<string, string>;
}

/**
 * `text_rich` as WebShop's text environment writes it: buttons and product links as
 * `[button] x [button_]`, chosen options (their quoted value is in the URL, as the text env checks)
 * as `[clicked button] x [clicked button_]`, announced by a leading `You have clicked x.`; other
 * text on its own line. Whitespace-only nodes are skipped.
 */
const RICH_TEXT_SCRIPT = `(() => {
  const ignored = new Set(['STYLE', 'SCRIPT', 'HEAD', 'TITLE', 'META']);
  const walker = document.createTreeWalker(document, NodeFilter.SHOW_TEXT);
  let url = location.href;
  try { url = decodeURIComponent(url); } catch (e) {}
  let out = '';
  let clicked = '';
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || ignored.has(parent.tagName)) continue;
    const t = (node.nodeValue || '').trim();
    if (!t) continue;
    if (parent.tagName === 'BUTTON') out += '[button] ' + t + ' [button_]\\n';
    else if (parent.tagName === 'LABEL') {
      // Chosen as WebShop's text env decides it: the quoted value appears in the page URL.
      if (url.includes("'" + t + "'")) {
        out += '  [clicked button] ' + t + ' [clicked button_]\\n';
        clicked += 'You have clicked ' + t + '.\\n';
      } else out += '  [button] ' + t + ' [button_]\\n';
    } else if (parent.classList.contains('product-link')) out += '\\n[button] ' + t + ' [button_]\\n';
    else out += '\\n' + t + ' \\n';
  }
  return clicked + out;
})()`;

const snapshotScript = (rich: boolean): string => `(() => {
  const text = ${SIMPLE_TEXT_SCRIPT};
  const richText = ${rich ? RICH_TEXT_SCRIPT : "''"};
  const lower = (el) => (el.textContent || '').trim().toLowerCase();
  const clickables = [];
  const add = (value) => { if (!clickables.includes(value)) clickables.push(value); };
  document.querySelectorAll('.btn').forEach((el) => add(lower(el)));
  document.querySelectorAll('.product-link').forEach((el) => add(lower(el)));
  const radioUrls = {};
  document.querySelectorAll('input[type="radio"]').forEach((el) => {
    add(el.value);
    if (el.dataset.url && !(el.value in radioUrls)) radioUrls[el.value] = el.dataset.url;
  });
  const instructionEl = document.querySelector('#instruction-text h4');
  const instruction = instructionEl ? (instructionEl.textContent || '').replace(/^\\s*Instruction:\\s*/, '').trim() : null;
  const reward = document.querySelector('#reward pre');
  const rewardInfo = document.querySelector('#reward_info pre');
  return {
    url: location.href,
    text,
    richText,
    instruction,
    hasSearchBar: document.querySelector('#search_input') !== null,
    clickables,
    reward: reward ? (reward.textContent || '').trim() : null,
    rewardInfo: rewardInfo ? rewardInfo.textContent : null,
    radioUrls,
  };
})()`;

const SIMPLE_SNAPSHOT = snapshotScript(false);
const RICH_SNAPSHOT = snapshotScript(true);

/** One evaluation per observation; the rich text is computed only when asked for. */
export const snapshotWebShopPage = (page: Page, rich = false): Promise<WebShopPageSnapshot> =>
  page.evaluate(rich ? RICH_SNAPSHOT : SIMPLE_SNAPSHOT) as Promise<WebShopPageSnapshot>;
