import type { Page } from 'playwright-core';
import { TEXT_NODES_SCRIPT } from '../browser/dom-text.js';
import { simpleText, type WebShopTextNode } from './webshop-text-rules.js';

/** Everything the adapter reads from a WebShop page, gathered in one page evaluation. */
export interface WebShopPageSnapshot {
  url: string;
  /** WebShop's simple text (computed from `nodes`). */
  text: string;
  /** The page's raw text nodes, for the rich text and any other reading. */
  nodes: WebShopTextNode[];
  instruction: string | null;
  hasSearchBar: boolean;
  /** WebShop's definition: `.btn` texts, then `a.product-link` texts (lower-cased), then radio values. */
  clickables: string[];
  reward: string | null;
  rewardInfo: string | null;
  /** Option radio value → its data-url, so choosing an option needs no extra round trip. */
  radioUrls: Record<string, string>;
}

const SNAPSHOT_SCRIPT = `(() => {
  const nodes = ${TEXT_NODES_SCRIPT};
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
    nodes,
    instruction,
    hasSearchBar: document.querySelector('#search_input') !== null,
    clickables,
    reward: reward ? (reward.textContent || '').trim() : null,
    rewardInfo: rewardInfo ? rewardInfo.textContent : null,
    radioUrls,
  };
})()`;

/**
 * One evaluation per observation. The page returns its raw text nodes; the simple text (and, in
 * the env, the rich text) is computed from them by the pure rules every transport shares.
 */
export const snapshotWebShopPage = async (page: Page): Promise<WebShopPageSnapshot> => {
  const raw = (await page.evaluate(SNAPSHOT_SCRIPT)) as Omit<WebShopPageSnapshot, 'text'>;
  return { ...raw, text: simpleText(raw.nodes) };
};
