import { ConfigInvalidError, NoAvailableActionError } from '../../src/env/errors.js';
import type { Observation, Task } from '../../src/protocol/index.js';
import type { HistoryEntry, Policy, PolicyDecision } from '../../src/env/policy.js';
import { isWebShopActions } from './webshop-available-actions.js';
import { parseWebShopInstruction, searchKeywords, wordOverlap } from './webshop-instruction.js';
import { webShopPageType } from './webshop-profile-page-type.js';
import { parseWebShopResults } from './webshop-results.js';

const NAME = 'heuristic-webshop';

const click = (target: string, thought: string): PolicyDecision => ({ action: `click[${target}]`, thought });

/** Search words for the next search: all keywords first, then half as many after every search that led nowhere. */
const searchDecision = (instruction: string, history: readonly HistoryEntry[]): PolicyDecision => {
  const keywords = searchKeywords(instruction);
  const earlier = history.filter((entry) => /^\s*search\[/i.test(entry.action)).length;
  const keep = Math.max(1, Math.ceil(keywords.length / 2 ** earlier));
  const thought = earlier === 0 ? 'search for the goal without its options and budget' : `search again with fewer words (attempt ${earlier + 1})`;
  return { action: `search[${keywords.slice(0, keep).join(' ')}]`, thought };
};

const resultsDecision = (observation: Observation, instruction: string, clickables: readonly string[]): PolicyDecision | undefined => {
  const results = parseWebShopResults(observation.text).filter((result) => clickables.includes(result.asin.toLowerCase()));
  const goal = parseWebShopInstruction(instruction);
  const wanted = [goal.goal, ...goal.options.map((option) => option.value)].join(' ');
  let best: { asin: string; overlap: number } | undefined;
  for (const result of results) {
    const overlap = wordOverlap(wanted, result.title);
    if (!best || overlap > best.overlap) best = { asin: result.asin, overlap };
  }
  if (best) return click(best.asin.toLowerCase(), `open the result sharing the most words with the goal (${best.overlap})`);
  if (clickables.includes('back to search')) return click('back to search', 'no results: go back and search with fewer words');
  return undefined;
};

const itemDecision = (instruction: string, history: readonly HistoryEntry[], clickables: readonly string[]): PolicyDecision | undefined => {
  const clicked = new Set(history.map((entry) => entry.action.trim().toLowerCase()));
  for (const { name, value } of parseWebShopInstruction(instruction).options) {
    if (clickables.includes(value) && !clicked.has(`click[${value}]`)) return click(value, `choose ${name}: ${value}`);
  }
  return clickables.includes('buy now') ? click('buy now', 'options chosen: buy') : undefined;
};

const decide = (observation: Observation, history: readonly HistoryEntry[], task: Task): PolicyDecision => {
  const actions = observation.available_actions;
  if (!isWebShopActions(actions)) throw new ConfigInvalidError(`the ${NAME} policy acts on WebShop observations only (got available_actions ${JSON.stringify(observation.available_actions)})`);
  const instruction = observation.instruction || task.instruction || '';
  if (actions.has_search_bar) return searchDecision(instruction, history);
  const { clickables } = actions;
  const page = observation.page_type ?? webShopPageType(observation.text);
  let decision: PolicyDecision | undefined;
  if (page === 'results') decision = resultsDecision(observation, instruction, clickables);
  else if (page === 'item') decision = itemDecision(instruction, history, clickables);
  else if (page === 'item_sub' && clickables.includes('< prev')) decision = click('< prev', 'back to the item page');
  if (decision) return decision;
  const first = clickables.find((clickable) => clickable !== 'search');
  if (first === undefined) throw new NoAvailableActionError(NAME, page);
  return click(first, 'no rule for this page: take the first clickable');
};

/**
 * A deterministic WebShop walk: search the goal's keywords (the instruction without budget and
 * options, stop words and punctuation removed), open the result whose title shares the most words
 * with the goal, choose the options the goal names, buy. With no results it goes back and searches
 * again with half the words; on a sub-page it goes back to the item. The embedded default policy
 * for WebShop (no LLM).
 */
export const createHeuristicWebShopPolicy = (): Policy => ({
  name: NAME,
  act: (observation, history, task) => Promise.resolve().then(() => decide(observation, history, task)),
});
