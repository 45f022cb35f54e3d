import type { Page } from 'playwright-core';
import { TEXT_NODES_SCRIPT } from '../browser/dom-text.js';
import { IGNORED_PARENTS, PY_SPACE, type WebShopTextNode } from './webshop-text-rules.js';

/** Everything the adapter reads from a WebShop page, gathered in one page evaluation. */
export interface WebShopPageSnapshot {
  url: string;
  /** WebShop's simple text (the rule of `simpleText`, applied in the page). */
  text: string;
  /** The page's raw text nodes, for the rich text; empty unless asked for (they cost a transfer per step). */
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

// `simpleText` (webshop-text-rules.ts) run in the page: a results page has hundreds of text nodes,
// and sending them all to Node cost a third of a step. The http path computes the same text from
// the same rule in Node; the transports' equivalence check holds the two to the same bytes.
const SIMPLE_TEXT_OF_NODES = `((nodes) => {
  const ignored = new Set(${JSON.stringify([...IGNORED_PARENTS])});
  const ascii = /^[ \\n\\t\\f\\r]+$/;
  const strip = new RegExp('^[${PY_SPACE.replaceAll('\\', '\\\\')}]+|[${PY_SPACE.replaceAll('\\', '\\\\')}]+$', 'g');
  const parts = [];
  for (const n of nodes) {
    if (n.text === '' || ignored.has(n.parent)) continue;
    const t = ascii.test(n.text) ? (n.text.includes('\\n') ? '\\n' : ' ') : n.text;
    if (t === '\\n') continue;
    parts.push(t.replace(strip, ''));
  }
  return parts.join(' [SEP] ');
})`;

const SNAPSHOT_SCRIPT = `((withNodes) => {
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
    text: ${SIMPLE_TEXT_OF_NODES}(nodes),
    nodes: withNodes ? nodes : [],
    instruction,
    hasSearchBar: document.querySelector('#search_input') !== null,
    clickables,
    reward: reward ? (reward.textContent || '').trim() : null,
    rewardInfo: rewardInfo ? rewardInfo.textContent : null,
    radioUrls,
  };
})`;

/**
 * One evaluation per observation. The page returns its raw text nodes; the simple text (and, in
 * the env, the rich text) is computed from them by the pure rules every transport shares.
 */
export const snapshotWebShopPage = async (page: Page, withNodes = false): Promise<WebShopPageSnapshot> =>
  (await page.evaluate(`${SNAPSHOT_SCRIPT}(${String(withNodes)})`)) as WebShopPageSnapshot;
