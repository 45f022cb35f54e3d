import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrowserProvider, type BrowserProvider } from '../adapters/browser/browser-provider.js';
import { evaluateTask } from '../adapters/webarena/evaluators/evaluate-task.js';
import { parseHelperCall, redditPostUrl } from '../adapters/webarena/evaluators/helper-call.js';
import { ProgramHtmlReading } from '../adapters/webarena/evaluators/program-html-reading.js';
import { WebArenaEnv } from '../adapters/webarena/webarena-env.js';
import { readTreeEntries } from '../adapters/webarena/webarena-profile.js';
import { parseWebArenaTasks, type WebArenaTask } from '../adapters/webarena/webarena-task-config.js';
import type { Observation } from '../src/protocol/index.js';

/**
 * Test pages shaped like the real sites behind WebArena's shop and GitLab helpers: Magento's REST
 * API (admin token, order search, product reviews) with a storefront order page, and GitLab's
 * project members table. The agent's work (an order, a review, a role change) happens in the
 * browser; the helpers read it back as WebArena's do.
 */
interface Order { increment_id: string; created_at: string; skus: string[] }
interface Review { nickname: string; percent: number }
interface Member { account: string; role: string }

const ADMIN = { username: 'admin', password: 'admin1234' };
const TOKEN = 'magento-admin-token';

let server: Server;
let base = '';
let provider: BrowserProvider;
let orders: Order[];
let reviews: Record<string, Review[]>;
let members: Member[];
const apiCalls: string[] = [];

const resetState = (): void => {
  orders = [
    { increment_id: '000000169', created_at: '2023-05-01 10:00:00', skus: ['B000000OLD'] },
    { increment_id: '000000170', created_at: '2023-05-02 10:00:00', skus: ['B000000MID'] },
  ];
  reviews = { B07HZB38XH: [{ nickname: 'EarlyBird', percent: 40 }], B0EMPTY000: [] };
  members = [
    { account: 'byteblaze', role: 'Owner' },
    { account: 'yjlou', role: 'Guest' },
    { account: 'koush', role: 'Maintainer' },
  ];
};

const body = async (req: IncomingMessage): Promise<string> => {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text;
};

const html = (res: ServerResponse, content: string, headers: Record<string, string> = {}): void => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...headers });
  res.end(`<!doctype html><html><head><title>Test site</title></head><body>${content}</body></html>`);
};

const json = (res: ServerResponse, status: number, value: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
};

const authorised = (req: IncomingMessage): boolean => req.headers.authorization === `Bearer ${TOKEN}`;

const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
  const url = new URL(req.url ?? '/', base);
  const path = url.pathname;
  if (path.startsWith('/shop/rest/')) apiCalls.push(`${req.method ?? ''} ${path}`);
  if (req.method === 'POST' && path === '/shop/rest/default/V1/integration/admin/token') {
    const creds = JSON.parse(await body(req)) as { username?: string; password?: string };
    return creds.username === ADMIN.username && creds.password === ADMIN.password ? json(res, 200, TOKEN) : json(res, 401, { message: 'The account sign-in was incorrect' });
  }
  if (path === '/shop/rest/V1/orders') {
    if (!authorised(req)) return json(res, 401, { message: 'unauthorised' });
    const q = url.searchParams;
    const desc = q.get('searchCriteria[sortOrders][0][direction]') === 'DESC' && q.get('searchCriteria[sortOrders][0][field]') === 'created_at';
    const sorted = [...orders].sort((a, b) => a.created_at.localeCompare(b.created_at));
    if (desc) sorted.reverse();
    return json(res, 200, { items: sorted.slice(0, Number(q.get('searchCriteria[pageSize]') ?? sorted.length)).map((o) => ({ increment_id: o.increment_id, created_at: o.created_at })) });
  }
  const reviewApi = /^\/shop\/rest\/V1\/products\/([^/]+)\/reviews$/.exec(path);
  if (reviewApi) {
    if (!authorised(req)) return json(res, 401, { message: 'unauthorised' });
    const list = reviews[reviewApi[1] ?? ''] ?? [];
    return json(res, 200, list.map((r, i) => ({ id: i + 1, nickname: r.nickname, ratings: [{ rating_name: 'Rating', percent: r.percent, value: r.percent / 20 }] })));
  }
  const product = /^\/shop\/product\/([^/]+)$/.exec(path);
  if (product) {
    const sku = product[1] ?? '';
    return html(res, `<h1>Product ${sku}</h1>
      <form method="post" action="/shop/order/${sku}"><button type="submit">Place order</button></form>
      <form method="post" action="/shop/review/${sku}">
        <label for="nick">Nickname</label><input id="nick" name="nickname">
        <label for="rating">Rating</label><select id="rating" name="rating"><option value="20">1 star</option><option value="40">2 stars</option><option value="60">3 stars</option><option value="80">4 stars</option><option value="100">5 stars</option></select>
        <button type="submit">Submit review</button>
      </form>`);
  }
  const order = /^\/shop\/order\/([^/]+)$/.exec(path);
  if (req.method === 'POST' && order) {
    const next = String(Math.max(...orders.map((o) => Number(o.increment_id))) + 1).padStart(9, '0');
    orders.push({ increment_id: next, created_at: '2023-06-01 09:00:00', skus: [order[1] ?? ''] });
    return html(res, `<p>Thank you for your purchase! Your order number is ${next}.</p>`);
  }
  const review = /^\/shop\/review\/([^/]+)$/.exec(path);
  if (req.method === 'POST' && review) {
    const form = new URLSearchParams(await body(req));
    (reviews[review[1] ?? ''] ??= []).push({ nickname: form.get('nickname') ?? '', percent: Number(form.get('rating')) });
    return html(res, '<p>You submitted your review for moderation.</p>');
  }
  const orderView = /^\/shop\/sales\/order\/view\/order_id\/(\d+)\/?$/.exec(path);
  if (orderView) {
    const found = orders.find((o) => Number(o.increment_id) === Number(orderView[1]));
    if (!found) return html(res, '<p>This order does not exist.</p>');
    return html(res, `<h1>Order # ${found.increment_id}</h1><div class="order-details-items ordered"><table><tbody>${found.skus.map((s) => `<tr><td>SKU ${s}</td></tr>`).join('')}</tbody></table></div>`);
  }
  if (path === '/gitlab/start') return html(res, '<a href="/gitlab/byteblaze/dotfiles/-/project_members">Members</a>', { 'set-cookie': '_gitlab_session=signed-in; Path=/gitlab' });
  if (path === '/gitlab/byteblaze/dotfiles/-/project_members') {
    if (req.method === 'POST') {
      const form = new URLSearchParams(await body(req));
      const member = members.find((m) => m.account === form.get('account'));
      if (member) member.role = form.get('role') ?? member.role;
    }
    // Signed out, GitLab shows no members table: the helper must run in the agent's context.
    if (!(req.headers.cookie ?? '').includes('_gitlab_session=signed-in')) return html(res, '<p>You need to sign in or sign up before continuing.</p>');
    const rows = members
      .map((m) => `<tr><td data-label="Account"><span class="gl-avatar-labeled-label">${m.account}</span><span class="gl-avatar-labeled-sublabel">@${m.account}</span></td><td class="col-max-role"><span>${m.role}</span></td></tr>`)
      .join('');
    return html(res, `<table><tbody>${rows}</tbody></table>
      <form method="post"><label for="acc">Account</label><input id="acc" name="account"><label for="role">Role</label><select id="role" name="role"><option>Guest</option><option>Reporter</option><option>Developer</option><option>Maintainer</option></select><button type="submit">Update role</button></form>`);
  }
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found');
};

const config = (id: number, sites: string[], startUrl: string, programHtml: unknown[]): WebArenaTask => {
  const [task] = parseWebArenaTasks(
    {
      sites, task_id: id, require_login: true, storage_state: null, start_url: startUrl, geolocation: null, intent_template: 'x', instantiation_dict: {},
      intent: `task ${id}`, require_reset: false, intent_template_id: id, eval: { eval_types: ['program_html'], reference_answers: null, reference_url: '', program_html: programHtml },
    },
    'helpers.json',
  );
  if (!task) throw new Error('no task');
  return task;
};

const orderTask = config(1, ['shopping'], '__SHOPPING__/product/B07DFJ5XKH', [
  { url: 'func:shopping_get_latest_order_url()', locator: 'document.querySelector(".order-details-items.ordered").outerText', required_contents: { must_include: ['B07DFJ5XKH'] } },
]);
const reviewTask = config(2, ['shopping'], '__SHOPPING__/product/B07HZB38XH', [
  { url: 'last', locator: "func:shopping_get_sku_latest_review_rating('B07HZB38XH')", required_contents: { must_include: ['80'] } },
  { url: 'last', locator: "func:shopping_get_sku_latest_review_author('B07HZB38XH')", required_contents: { must_include: ['ShoppingEmma'] } },
]);
const roleTask = config(3, ['gitlab'], '__GITLAB__/start', [
  { url: '__GITLAB__/byteblaze/dotfiles/-/project_members', locator: "func:gitlab_get_project_memeber_role(__page__, 'yjlou')", required_contents: { must_include: ['Developer'] } },
]);
const unknownTask = config(4, ['gitlab'], '__GITLAB__/start', [
  { url: '__GITLAB__/byteblaze/dotfiles/-/project_members', locator: "func:gitlab_get_project_member_role(__page__, 'yjlou')", required_contents: { must_include: ['Developer'] } },
]);
const prepTask = config(5, ['gitlab'], '__GITLAB__/start', [
  {
    url: '__GITLAB__/byteblaze/dotfiles/-/project_members',
    locator: 'document.querySelector("td.col-max-role span").outerText',
    prep_actions: ['document.querySelector("#no-such-button").click()', 'document.title = "never run"'],
    required_contents: { exact_match: 'Owner' },
  },
]);
const emptyReviewsTask = config(6, ['shopping'], '__SHOPPING__/product/B0EMPTY000', [
  { url: 'last', locator: "func:shopping_get_sku_latest_review_author('B0EMPTY000')", required_contents: { exact_match: '' } },
]);
const tasks = new Map([orderTask, reviewTask, roleTask, unknownTask, prepTask, emptyReviewsTask].map((t) => [String(t.task_id), t]));

const idOf = (observation: Observation, role: string, name: string): string => {
  const id = readTreeEntries(observation.text).find((e) => e.role === role && e.name === name)?.id;
  if (id === undefined) throw new Error(`no ${role} '${name}' in\n${observation.text}`);
  return id;
};

const newEnv = (withAdmin = true): WebArenaEnv =>
  new WebArenaEnv({
    browser: provider,
    tasks,
    sites: () => ({ shopping: `${base}/shop`, gitlab: `${base}/gitlab` }),
    login: withAdmin ? { shopping_admin: { ...ADMIN, loginPath: '/admin' } } : {},
    timeoutMs: 20_000,
  });

/** Runs `actions` (built from each observation) then `stop []`, and returns the final step's info. */
const play = async (taskId: number, actions: ((o: Observation) => string)[], env = newEnv()): Promise<{ reward: number; evaluation: Record<string, unknown> }> => {
  try {
    let observation = await env.reset({ task_id: String(taskId), env: 'webarena' });
    for (const action of actions) {
      const step = await env.step(action(observation));
      expect(step.observation.last_action_error, step.observation.text).toBeUndefined();
      observation = step.observation;
    }
    const last = await env.step('stop []');
    expect(last.done).toBe(true);
    return { reward: last.reward, evaluation: last.info['evaluation'] as Record<string, unknown> };
  } finally {
    await env.close();
  }
};

beforeAll(async () => {
  resetState();
  server = createServer((req, res) => void handle(req, res).catch((error: unknown) => { res.writeHead(500); res.end(String(error)); }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider = createBrowserProvider({ kind: 'launch' });
});

afterAll(async () => {
  await provider?.close();
  await new Promise((resolve) => server?.close(resolve));
});

describe('func: helper calls', () => {
  it("parses WebArena's five helpers and reports anything else unsupported with the reason", () => {
    expect(parseHelperCall("func:reddit_get_post_url('__last_url__')", 'url', 'http://r/f/a/1/x')).toEqual({ name: 'reddit_get_post_url', args: [{ kind: 'string', value: 'http://r/f/a/1/x' }] });
    expect(parseHelperCall('func:shopping_get_latest_order_url()', 'url')).toEqual({ name: 'shopping_get_latest_order_url', args: [] });
    expect(parseHelperCall("func:gitlab_get_project_memeber_role(__page__, 'abisubramanya27')", 'locator')).toEqual({
      name: 'gitlab_get_project_memeber_role',
      args: [{ kind: 'page' }, { kind: 'string', value: 'abisubramanya27' }],
    });
    expect(parseHelperCall('func:shopping_get_sku_latest_review_rating("B00J8RZL7I")', 'locator')).toMatchObject({ name: 'shopping_get_sku_latest_review_rating' });
    expect(parseHelperCall("func:gitlab_get_project_member_role(__page__, 'x')", 'locator')).toEqual({
      unsupported: 'unknown helper gitlab_get_project_member_role (known: reddit_get_post_url, shopping_get_latest_order_url, gitlab_get_project_memeber_role, shopping_get_sku_latest_review_rating, shopping_get_sku_latest_review_author)',
    });
    expect(parseHelperCall('func:shopping_get_latest_order_url()', 'locator')).toEqual({ unsupported: "helper shopping_get_latest_order_url computes a URL, but it is used as the target's locator" });
    expect(parseHelperCall("func:shopping_get_sku_latest_review_author(__page__, 'B0')", 'locator')).toEqual({ unsupported: `"func:shopping_get_sku_latest_review_author(__page__, 'B0')" does not call shopping_get_sku_latest_review_author('…')` });
    expect(parseHelperCall('func:os.system("rm -rf /")', 'locator')).toMatchObject({ unsupported: expect.stringContaining('is not a helper call') as unknown });
  });

  it("reddit_get_post_url: a post or comment URL becomes the post's, anything else stays", () => {
    expect(redditPostUrl('http://r:9999/f/books/59421/the-expanse')).toBe('http://r:9999/f/books/59421/');
    expect(redditPostUrl('http://r:9999/f/books/59421/the-expanse/-/comment/1')).toBe('http://r:9999/f/books/59421/');
    expect(redditPostUrl('http://r:9999/f/books')).toBe('http://r:9999/f/books');
    expect(redditPostUrl('http://r:9999/user/MarvelsGrant/submissions')).toBe('http://r:9999/user/MarvelsGrant/submissions');
    // A forum served under a path prefix: the rule applies below the prefix.
    expect(redditPostUrl('http://h:1/ns/a/reddit/f/books/3/slug', 'http://h:1/ns/a/reddit')).toBe('http://h:1/ns/a/reddit/f/books/3/');
    expect(redditPostUrl('http://h:1/ns/a/reddit/f/books', 'http://h:1/ns/a/reddit')).toBe('http://h:1/ns/a/reddit/f/books');
  });

  it('offline, an unknown helper is unsupported rather than waiting for a live site; with readings it is unsupported too', async () => {
    const offline = await evaluateTask(unknownTask, { answer: '', sites: { gitlab: 'http://g' } });
    expect(offline).toMatchObject({ score: null, unsupported: [expect.stringContaining('unknown helper gitlab_get_project_member_role') as unknown] });
    expect(offline.needs_live_site).toBeUndefined();
    const live = await evaluateTask(unknownTask, { answer: '', sites: { gitlab: 'http://g' }, programHtmlValues: [new ProgramHtmlReading('', { unsupported: 'unknown helper x' })] });
    expect(live).toMatchObject({ score: null, unsupported: ['program_html: target 0: unknown helper x'], evaluators: [{ unscored: 'unsupported' }] });
    expect(await evaluateTask(roleTask, { answer: '', sites: { gitlab: 'http://g' } })).toMatchObject({ score: null, needs_live_site: true });
  });
});

describe('func: helpers against live sites, in the episode context', () => {
  it('shopping_get_latest_order_url: 1 after placing the order, 0 without', async () => {
    resetState();
    const idle = await play(1, []);
    expect(idle.reward).toBe(0);
    expect(JSON.stringify(idle.evaluation)).toContain('/shop/sales/order/view/order_id/170/');
    const done = await play(1, [(o) => `click [${idOf(o, 'button', 'Place order')}]`]);
    expect(done.reward, JSON.stringify(done.evaluation)).toBe(1);
    expect(JSON.stringify(done.evaluation)).toContain('/shop/sales/order/view/order_id/171/');
    expect(apiCalls).toContain('POST /shop/rest/default/V1/integration/admin/token');
    expect(apiCalls).toContain('GET /shop/rest/V1/orders');
  }, 90_000);

  it('shopping_get_sku_latest_review_rating and _author: 1 after the review, 0 without; "" when there is none', async () => {
    resetState();
    expect((await play(2, [])).reward).toBe(0);
    const done = await play(2, [
      (o) => `type [${idOf(o, 'textbox', 'Nickname')}] [ShoppingEmma] [0]`,
      (o) => `type [${idOf(o, 'combobox', 'Rating')}] [4 stars] [0]`,
      (o) => `click [${idOf(o, 'button', 'Submit review')}]`,
    ]);
    expect(done.reward, JSON.stringify(done.evaluation)).toBe(1);
    const empty = await play(6, []);
    expect(empty.reward, JSON.stringify(empty.evaluation)).toBe(1);
  }, 90_000);

  it('gitlab_get_project_memeber_role: reads the role cell of the account, logged in as the agent is', async () => {
    resetState();
    const idle = await play(3, []);
    expect(idle.reward).toBe(0);
    expect(JSON.stringify(idle.evaluation)).toContain('"value":"Guest"');
    const done = await play(3, [
      (o) => `click [${idOf(o, 'link', 'Members')}]`,
      (o) => `type [${idOf(o, 'textbox', 'Account')}] [yjlou] [0]`,
      (o) => `type [${idOf(o, 'combobox', 'Role')}] [Developer] [0]`,
      (o) => `click [${idOf(o, 'button', 'Update role')}]`,
    ]);
    expect(done.reward, JSON.stringify(done.evaluation)).toBe(1);
  }, 90_000);

  it('an unknown helper is unsupported with the reason; a shop helper without the admin account too', async () => {
    resetState();
    const unknown = await play(4, []);
    expect(unknown.reward).toBe(0);
    expect(unknown.evaluation).toMatchObject({ score: null, unsupported: [expect.stringContaining('unknown helper gitlab_get_project_member_role') as unknown] });
    const noAccount = await play(1, [], newEnv(false));
    expect(noAccount.evaluation).toMatchObject({ score: null, unsupported: [expect.stringContaining('--login shopping_admin=USER:PASSWORD') as unknown] });
  }, 90_000);

  it('records a prep_action that throws in info.evaluation, and still reads the target', async () => {
    resetState();
    const result = await play(5, []);
    expect(result.reward).toBe(1);
    const check = ((result.evaluation['evaluators'] as { details: { checks: { details: Record<string, unknown> }[] } }[])[0]?.details.checks ?? [])[0];
    expect(check?.details['prep_errors']).toEqual([expect.stringMatching(/^prep_actions\[0\]: .*null/) as unknown]);
  }, 60_000);
});
