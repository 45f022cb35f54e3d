import { describe, expect, it } from 'vitest';
import { createRandomPolicy, createReplayPolicy } from '../harness/policies/index.js';
import { createWebArenaProfile } from '../adapters/webarena/webarena-profile.js';
import { createWebShopProfile, isWebShopActions } from '../adapters/webshop/webshop-profile.js';
import { createHeuristicWebShopPolicy } from '../adapters/webshop/webshop-heuristic-policy.js';
import { parseWebShopInstruction, searchKeywords } from '../adapters/webshop/webshop-instruction.js';
import { parseWebShopResults } from '../adapters/webshop/webshop-results.js';
import type { HistoryEntry, Policy } from '../src/env/policy.js';
import type { Observation, Task } from '../src/protocol/index.js';

// Texts as the local WebShop (faithful to WebShop's templates) renders them for train goals 1501 and 1503.
const NAIL = 'Find me vegan nail polish for home manicure with color: nude beige, and size: 6 count, and price lower than 50.00 dollars';
const JEANS = "Find me straight leg men's jeans with belt loops for everyday wear with color: stonewash, and size: 36w x 32l, and price lower than 100.00 dollars";
const HUMAN = 'i need a long clip-in hair extension which is natural looking, and price lower than 40.00 dollars';

const searchPage = (instruction: string): Observation => ({
  text: `WebShop [SEP] Instruction: [SEP] ${instruction} [SEP] Search`,
  instruction,
  url: 'http://127.0.0.1:3000/fixed_1501',
  page_type: 'search',
  available_actions: { has_search_bar: true, clickables: ['search'] },
  source: 'real',
});

const NAIL_RESULTS = [
  ['B0IIW3RF5N', 'Orchidia Shimmer Nail Polish with Base Coat, High Quality High Shine Nail Polish for Beginners', '$17.95 to $22.99'],
  ['B014XW2Q70', 'Noviqa Pastel Gel Nail Polish with UV Lamp, Non Toxic Chip Resistant Gel Nail Polish for Daily Use', '$7.49'],
  ['B0WIRIV6YH', 'Rosique Shimmer Gel Nail Polish with Base Coat, Long Lasting Chip Resistant Gel Nail Polish', '$17.0 to $28.49'],
  ['B0GFBN3BUK', 'Silkaire Quick Dry Nail Polish Set with Glitter, High Quality Easy to Use Nail Polish Set for Beginners', '$33.99'],
  ['B09LCS8XPC', 'Maison Cerise Shimmer Nail Polish Set, Quick Drying Easy to Use Nail Polish Set', '$3.0 to $4.89'],
  ['B0JN50R7AW', 'Rosique Salon Nail Polish Set with Top Coat - High Quality Easy to Use Nail Polish Set for Beginners', '$16.0'],
  ['B08R1WA31K', 'Hairloom Easy to Use Pastel Nail Polish Set with Top Coat for Gifting', '$17.99'],
  ['B09RS95QIQ', 'Orchidia Shimmer Nail Polish, Vegan High Quality Nail Polish for Gifting', '$13.95'],
  ['B0Z4LZRWWR', 'Verdana Botanics Quick Dry Nail Polish Set, Chip Resistant Long Lasting Nail Polish Set for Home Manicure', '$11.0'],
  ['B0KWEO1SJM', 'Orchidia Chip Resistant Salon Nail Polish Set with Base Coat for Beginners', '$34.49'],
] as const;

const resultsPage = (instruction: string, rows: ReadonlyArray<readonly [string, string, string]>, total = rows.length === 0 ? 0 : 24): Observation => ({
  text: [`Instruction: [SEP] ${instruction} [SEP] Back to Search [SEP] Page 1 (Total results: ${total}) [SEP] Next >`, ...rows.map((row) => row.join(' [SEP] '))].join(' [SEP] '),
  instruction,
  url: "http://127.0.0.1:3000/search_results/fixed_1501/%5B'vegan'%5D/1",
  page_type: 'results',
  available_actions: { has_search_bar: false, clickables: ['back to search', 'next >', ...rows.map(([asin]) => asin.toLowerCase())] },
  source: 'real',
});

const NAIL_ITEM: Observation = {
  text: `Instruction: [SEP] ${NAIL} [SEP] Back to Search [SEP] < Prev [SEP] color [SEP] ballet pink [SEP] coral [SEP] nude beige [SEP] mint green [SEP] size [SEP] 6 count [SEP] 12 count [SEP] Orchidia Shimmer Nail Polish, Vegan High Quality Nail Polish for Gifting [SEP] Price: $13.95 [SEP] Rating: N.A. [SEP] Description [SEP] Features [SEP] Reviews [SEP] Buy Now`,
  instruction: NAIL,
  url: "http://127.0.0.1:3000/item_page/fixed_1501/B09RS95QIQ/%5B'vegan'%5D/1/%7B%7D",
  page_type: 'item',
  available_actions: {
    has_search_bar: false,
    clickables: ['back to search', '< prev', 'description', 'features', 'reviews', 'buy now', 'ballet pink', 'coral', 'nude beige', 'mint green', '6 count', '12 count'],
  },
  source: 'real',
};

const JEANS_ITEM: Observation = {
  text: `Instruction: [SEP] ${JEANS} [SEP] Back to Search [SEP] < Prev [SEP] color [SEP] dark wash [SEP] light wash [SEP] black [SEP] stonewash [SEP] indigo [SEP] grey [SEP] size [SEP] 32w x 30l [SEP] 32w x 32l [SEP] 34w x 32l [SEP] 36w x 32l [SEP] 38w x 34l [SEP] 40w x 30l [SEP] Hartwell Tapered Straight Leg Jeans with Button Fly, Straight Leg Jeans for Everyday Wear [SEP] Price: $61.49 [SEP] Rating: N.A. [SEP] Description [SEP] Features [SEP] Reviews [SEP] Buy Now`,
  instruction: JEANS,
  url: "http://127.0.0.1:3000/item_page/fixed_1503/B0B7H593T6/%5B'jeans'%5D/1/%7B%7D",
  page_type: 'item',
  available_actions: {
    has_search_bar: false,
    clickables: ['back to search', '< prev', 'description', 'features', 'reviews', 'buy now', 'dark wash', 'light wash', 'black', 'stonewash', 'indigo', 'grey', '32w x 30l', '32w x 32l', '34w x 32l', '36w x 32l', '38w x 34l', '40w x 30l'],
  },
  source: 'real',
};

const SUB_PAGE: Observation = {
  text: `Instruction: [SEP] ${NAIL} [SEP] Back to Search [SEP] < Prev [SEP] Pair it with uv lamp for salon results. This nail polish is high quality and lasts up to two weeks.`,
  instruction: NAIL,
  url: "http://127.0.0.1:3000/item_sub_page/fixed_1501/B09RS95QIQ/%5B'vegan'%5D/1/Description/%7B%7D",
  page_type: 'item_sub',
  available_actions: { has_search_bar: false, clickables: ['back to search', '< prev'] },
  source: 'real',
};

const DONE_PAGE: Observation = {
  text: 'Thank you for shopping with us! [SEP] Your code: [SEP] 836F1D4B7B [SEP] (Paste it in your MTurk interface.) [SEP] Purchased [SEP] asin [SEP] B09RS95QIQ',
  instruction: NAIL,
  url: 'http://127.0.0.1:3000/done/fixed_1501/B09RS95QIQ/%7B%7D',
  page_type: 'done',
  available_actions: { has_search_bar: false, clickables: [] },
  source: 'real',
};

const task: Task = { task_id: '1501', env: 'webshop', split: 'train' };
const entry = (observation: Observation, action: string): HistoryEntry => ({ observation, action, reward: 0 });
const withoutPageType = ({ page_type: _pageType, ...rest }: Observation): Observation => rest;
const act = async (policy: Policy, observation: Observation, history: HistoryEntry[] = []): Promise<string> =>
  (await policy.act(observation, history, task)).action;

describe('WebShop instruction parsing', () => {
  it('splits goal, options and budget, even when the goal itself contains " with "', () => {
    expect(parseWebShopInstruction(JEANS)).toEqual({
      goal: "Find me straight leg men's jeans with belt loops for everyday wear",
      options: [{ name: 'color', value: 'stonewash' }, { name: 'size', value: '36w x 32l' }],
      priceUpper: 100,
    });
    expect(parseWebShopInstruction(HUMAN)).toEqual({ goal: 'i need a long clip-in hair extension which is natural looking', options: [], priceUpper: 40 });
    expect(parseWebShopInstruction('Find me a tote bag with style: bag with zipper').options).toEqual([{ name: 'style', value: 'bag with zipper' }]);
    expect(parseWebShopInstruction('a lamp with a warm light')).toEqual({ goal: 'a lamp with a warm light', options: [] });
  });

  it('search keywords drop price, options, stop words and punctuation', () => {
    expect(searchKeywords(NAIL).join(' ')).toBe('vegan nail polish home manicure');
    expect(searchKeywords(JEANS).join(' ')).toBe('straight leg mens jeans belt loops everyday wear');
    expect(searchKeywords(HUMAN).join(' ')).toBe('long clip hair extension natural');
  });

  it('reads result triples after "Next >"', () => {
    const rows = parseWebShopResults(resultsPage(NAIL, NAIL_RESULTS).text);
    expect(rows).toHaveLength(10);
    expect(rows[7]).toEqual({ asin: 'B09RS95QIQ', title: 'Orchidia Shimmer Nail Polish, Vegan High Quality Nail Polish for Gifting', price: '$13.95' });
    expect(parseWebShopResults(resultsPage(NAIL, []).text)).toEqual([]);
  });
});

describe('heuristic WebShop policy', () => {
  const policy = createHeuristicWebShopPolicy();

  it('walks search → best result → named options → buy', async () => {
    const search = searchPage(NAIL);
    const results = resultsPage(NAIL, NAIL_RESULTS);
    expect(await act(policy, search)).toBe('search[vegan nail polish home manicure]');
    // B0Z4LZRWWR shares nail, polish, home, manicure with the goal; B09RS95QIQ only vegan, nail, polish.
    const history = [entry(search, 'search[vegan nail polish home manicure]')];
    expect(await act(policy, results, history)).toBe('click[b0z4lzrwwr]');
    history.push(entry(results, 'click[b09rs95qiq]'));
    expect(await act(policy, NAIL_ITEM, history)).toBe('click[nude beige]');
    history.push(entry(NAIL_ITEM, 'click[nude beige]'));
    expect(await act(policy, NAIL_ITEM, history)).toBe('click[6 count]');
    history.push(entry(NAIL_ITEM, 'click[6 count]'));
    expect(await act(policy, NAIL_ITEM, history)).toBe('click[buy now]');
    const decision = await policy.act(NAIL_ITEM, history, task);
    expect(decision.thought).toBeTypeOf('string');
  });

  it('picks the options of a goal whose instruction contains " with " and skips options the page lacks', async () => {
    expect(await act(policy, JEANS_ITEM)).toBe('click[stonewash]');
    expect(await act(policy, JEANS_ITEM, [entry(JEANS_ITEM, 'click[stonewash]')])).toBe('click[36w x 32l]');
    const noSize = { ...JEANS_ITEM, available_actions: { has_search_bar: false, clickables: ['back to search', '< prev', 'buy now', 'stonewash'] } };
    expect(await act(policy, noSize, [entry(JEANS_ITEM, 'click[stonewash]')])).toBe('click[buy now]');
  });

  it('goes back and searches with fewer words when there are no results', async () => {
    const empty = resultsPage(NAIL, []);
    expect(await act(policy, empty, [entry(searchPage(NAIL), 'search[vegan nail polish home manicure]')])).toBe('click[back to search]');
    const history = [entry(searchPage(NAIL), 'search[vegan nail polish home manicure]'), entry(empty, 'click[back to search]')];
    expect(await act(policy, searchPage(NAIL), history)).toBe('search[vegan nail polish]');
    history.push(entry(searchPage(NAIL), 'search[vegan nail polish]'), entry(empty, 'click[back to search]'));
    expect(await act(policy, searchPage(NAIL), history)).toBe('search[vegan nail]');
  });

  it('goes back from a sub-page, reads page types from the text when page_type is absent, and is deterministic', async () => {
    expect(await act(policy, SUB_PAGE)).toBe('click[< prev]');
    expect(await act(policy, withoutPageType(SUB_PAGE))).toBe('click[< prev]');
    expect(await act(policy, withoutPageType(resultsPage(NAIL, NAIL_RESULTS)))).toBe('click[b0z4lzrwwr]');
    expect(await act(policy, withoutPageType(NAIL_ITEM))).toBe('click[nude beige]');
    expect(await act(policy, withoutPageType(searchPage(HUMAN)))).toBe('search[long clip hair extension natural]');
    const again = await Promise.all([1, 2, 3].map(() => act(createHeuristicWebShopPolicy(), resultsPage(NAIL, NAIL_RESULTS))));
    expect(new Set(again)).toEqual(new Set(['click[b0z4lzrwwr]']));
  });

  it('fails with typed errors where it cannot act', async () => {
    await expect(policy.act(DONE_PAGE, [], task)).rejects.toMatchObject({ code: 'NO_AVAILABLE_ACTION' });
    const webArena: Observation = { text: '[1] RootWebArea', instruction: 'x', available_actions: { ids: ['1'] }, source: 'real' };
    await expect(policy.act(webArena, [], task)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});

describe('random policy', () => {
  const pages = [searchPage(NAIL), resultsPage(NAIL, NAIL_RESULTS), NAIL_ITEM, SUB_PAGE, JEANS_ITEM];
  const isValid = (observation: Observation, action: string): boolean => {
    const available = observation.available_actions;
    if (!isWebShopActions(available)) return false;
    const search = /^search\[(.+)\]$/.exec(action);
    if (search) return available.has_search_bar && search[1]!.split(' ').every((word) => observation.instruction.toLowerCase().includes(word));
    const click = /^click\[(.+)\]$/.exec(action);
    return click !== null && click[1] !== 'search' && available.clickables.includes(click[1]!);
  };

  it('only picks available actions, covering them all', async () => {
    const policy = createRandomPolicy({ seed: 7, profile: createWebShopProfile() });
    const seen = new Map<Observation, Set<string>>();
    for (let round = 0; round < 300; round += 1) {
      for (const page of pages) {
        const action = await act(policy, page);
        expect(isValid(page, action), `${action} on ${page.page_type}`).toBe(true);
        seen.set(page, (seen.get(page) ?? new Set()).add(action.replace(/^search\[.*\]$/, 'search')));
      }
    }
    expect(seen.get(SUB_PAGE)).toEqual(new Set(['click[back to search]', 'click[< prev]']));
    expect(seen.get(NAIL_ITEM)?.size).toBe(12);
    expect(seen.get(pages[0]!)).toEqual(new Set(['search']));
    const webArena: Observation = { text: '[1] RootWebArea', instruction: 'x', available_actions: { ids: ['12', '40'] }, source: 'real' };
    expect(['click [12]', 'click [40]']).toContain(await act(createRandomPolicy({ seed: 7, profile: createWebArenaProfile() }), webArena));
    await expect(policy.act(DONE_PAGE, [], task)).rejects.toMatchObject({ code: 'NO_AVAILABLE_ACTION' });
  });

  it('is deterministic per seed', async () => {
    const run = async (seed: number): Promise<string[]> => {
      const policy = createRandomPolicy({ seed, profile: createWebShopProfile() });
      const actions: string[] = [];
      for (let round = 0; round < 20; round += 1) for (const page of pages) actions.push(await act(policy, page));
      return actions;
    };
    expect(await run(1)).toEqual(await run(1));
    expect(await run(1)).not.toEqual(await run(2));
  });
});

describe('replay policy', () => {
  it('replays the given actions in order, then fails with REPLAY_EXHAUSTED', async () => {
    const policy = createReplayPolicy({ actions: ['search[nail polish]', 'click[b09rs95qiq]', 'click[buy now]'] });
    expect(policy.name).toBe('replay');
    // It ignores what it observes.
    expect(await act(policy, NAIL_ITEM)).toBe('search[nail polish]');
    expect(await act(policy, searchPage(NAIL))).toBe('click[b09rs95qiq]');
    expect(await act(policy, NAIL_ITEM)).toBe('click[buy now]');
    await expect(policy.act(DONE_PAGE, [], task)).rejects.toMatchObject({ code: 'REPLAY_EXHAUSTED' });
  });
});
