import { describe, expect, it } from 'vitest';
import {
  actionableIds,
  createWebArenaProfile,
  extractWebArenaAction,
  formatWebArenaAction,
  parseWebArenaAction,
  readTreeEntries,
  webArenaCanonicalKey,
  webArenaPageType,
  WEBARENA_KEY_VERSION,
} from '../adapters/webarena/webarena-profile.js';

const TREE = `Tab 0 (current): Orders

[1] RootWebArea 'Orders' focused: True
\t[4] link 'Dashboard'
\t[5] link 'Orders'
\t[9] heading 'Orders'
\t[12] textbox 'Search' focused: False required: False
\t[13] button 'Search'
\t[20] table ''
\t\t[21] StaticText 'Order #000000017'
\t\t[22] link 'View'`;

describe('WebArena action grammar', () => {
  it('parses every action kind as WebArena does', () => {
    const ok = (raw: string) => {
      const parsed = parseWebArenaAction(raw);
      if (!parsed.ok) throw new Error(parsed.reason);
      return parsed.action;
    };
    expect(ok('click [12]')).toEqual({ kind: 'click', id: '12' });
    expect(ok('click[f1.7]')).toEqual({ kind: 'click', id: 'f1.7' });
    expect(ok('hover [3]')).toEqual({ kind: 'hover', id: '3' });
    expect(ok('type [12] [blue shoes] [0]')).toEqual({ kind: 'type', id: '12', text: 'blue shoes', enter: false });
    expect(ok('type [12] [blue [x] shoes]')).toEqual({ kind: 'type', id: '12', text: 'blue [x] shoes', enter: true });
    expect(ok('press [Control+a]')).toEqual({ kind: 'press', keys: 'Control+a' });
    expect(ok('scroll [down]')).toEqual({ kind: 'scroll', direction: 'down' });
    expect(ok('scroll [direction=up]')).toEqual({ kind: 'scroll', direction: 'up' });
    expect(ok('new_tab')).toEqual({ kind: 'new_tab' });
    expect(ok('tab_focus [1]')).toEqual({ kind: 'tab_focus', index: 1 });
    expect(ok('close_tab')).toEqual({ kind: 'close_tab' });
    expect(ok('goto [http://x/y?z=1]')).toEqual({ kind: 'goto', url: 'http://x/y?z=1' });
    expect(ok('go_back')).toEqual({ kind: 'go_back' });
    expect(ok('go_forward')).toEqual({ kind: 'go_forward' });
    expect(ok('stop [$25.99]')).toEqual({ kind: 'stop', answer: '$25.99' });
    expect(ok('stop []')).toEqual({ kind: 'stop', answer: '' });
    expect(ok('stop')).toEqual({ kind: 'stop', answer: '' });
  });

  it('refuses what is not an action, with a reason', () => {
    for (const bad of ['click', 'click [abc def]', 'type [3]', 'scroll [left]', 'tab_focus [x]', 'dance [1]', '']) {
      const parsed = parseWebArenaAction(bad);
      expect(parsed.ok, bad).toBe(false);
      if (!parsed.ok) expect(parsed.reason.length).toBeGreaterThan(10);
    }
  });

  it('reads the action from an agent response and formats it back', () => {
    const response = 'Let me think.\nIn summary, the next action I will perform is ```click [5]```';
    expect(extractWebArenaAction(response)).toBe('click [5]');
    const parsed = parseWebArenaAction(response);
    expect(parsed.ok && formatWebArenaAction(parsed.action)).toBe('click [5]');
  });
});

describe('WebArena profile', () => {
  it('reads tree entries and actionable ids', () => {
    expect(readTreeEntries(TREE).map((e) => e.id)).toEqual(['1', '4', '5', '9', '12', '13', '20', '21', '22']);
    expect(actionableIds(TREE)).toEqual(['4', '5', '12', '13', '22']);
    expect(readTreeEntries(`[3] link "it's here"`)[0]).toEqual({ id: '3', role: 'link', name: "it's here" });
  });

  it('types pages by their path relative to the site', () => {
    const sites = { shopping_admin: 'http://127.0.0.1:9/ns/ep-1/shopping_admin', reddit: 'http://127.0.0.1:9/ns/ep-1/reddit' };
    expect(webArenaPageType('http://127.0.0.1:9/ns/ep-1/shopping_admin/orders/17', sites)).toBe('shopping_admin:/orders/:n');
    expect(webArenaPageType('http://127.0.0.1:9/ns/ep-1/reddit/f/books?sort=new', sites)).toBe('reddit:/f/books');
    expect(webArenaPageType('http://example.com:7780/admin/sales/order/view/order_id/42/')).toBe('example.com:7780:/admin/sales/order/view/order_id/:n');
  });

  it('keys states by path and the actionable (role, name) set, not by ids', () => {
    const key = webArenaCanonicalKey({ text: TREE, url: 'http://h/orders?page=1' });
    expect(key.version).toBe(WEBARENA_KEY_VERSION);
    expect(key.key.startsWith('/orders|')).toBe(true);
    const renumbered = TREE.replace(/\[(\d+)\]/g, (_, n: string) => `[${Number(n) + 100}]`);
    expect(webArenaCanonicalKey({ text: renumbered, url: 'http://h/orders' }).key).toBe(key.key);
    const changed = TREE.replace("link 'View'", "link 'Edit'");
    expect(webArenaCanonicalKey({ text: changed, url: 'http://h/orders' }).key).not.toBe(key.key);
    expect(webArenaCanonicalKey({ text: TREE, url: 'http://h/orders/2' }).key).not.toBe(key.key);
    // The local sites' per-episode namespace names a copy of the data, not a state.
    const inEpisode = (ns: string) => webArenaCanonicalKey({ text: TREE, url: `http://h/ns/${ns}/shopping_admin/orders` }).key;
    expect(inEpisode('ep-1-1-3')).toBe(inEpisode('ep-9-4-3'));
    expect(inEpisode('ep-1-1-3')).toBe(webArenaCanonicalKey({ text: TREE, url: 'http://h/shopping_admin/orders' }).key);
  });

  it('validates actions against the page ids', () => {
    const profile = createWebArenaProfile({ taskIds: ['0', '1'] });
    const available = profile.availableActions(TREE);
    expect(profile.validateAction('click [5]', available)).toEqual({ valid: true });
    expect(profile.validateAction('click [99]', available)).toMatchObject({ valid: false, reason: expect.stringContaining('[99]') });
    expect(profile.validateAction('stop [x]', available)).toEqual({ valid: true });
    expect(profile.tasks('test').map((t) => t.task_id)).toEqual(['0', '1']);
    expect(profile.parseAction('type [12] [a]')).toMatchObject({ ok: true, name: 'type' });
  });
});
