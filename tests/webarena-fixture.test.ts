import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, pathMatches } from '../fixtures/webarena/cookie-jar.js';
import { evaluateOverHttp, type FixtureTaskEval } from '../fixtures/webarena/http-evaluate.js';
import { HttpReplay } from '../fixtures/webarena/http-replay.js';
import { loadFixtureTasks, loadReferenceActions, parseReferenceAction } from '../fixtures/webarena/reference-actions.js';
import { startWebArenaFixture, type RunningWebArenaFixture } from '../fixtures/webarena/server.js';
import { webArenaSites, type WebArenaSite } from '../fixtures/webarena/sites.js';
import { fillPlaceholders, startUrls } from '../fixtures/webarena/task-placeholders.js';

interface ProgramHtml {
  url: string;
  locator: string;
  required_contents: { exact_match?: string; must_include?: string[] };
  prep_actions?: string[];
}

interface TaskConfig {
  sites: WebArenaSite[];
  task_id: number;
  start_url: string;
  eval: FixtureTaskEval & { program_html: ProgramHtml[]; string_note: string; reference_answer_raw_annotation: string };
  [key: string]: unknown;
}

const tasks = loadFixtureTasks() as TaskConfig[];
const referenceActions = loadReferenceActions();

let fixture: RunningWebArenaFixture;

beforeAll(async () => {
  fixture = await startWebArenaFixture({ port: 0 });
});

afterAll(async () => {
  await fixture?.close();
});

interface Reply {
  status: number;
  location: string | null;
  setCookie: string | null;
  body: string;
}

/** One request, no redirects followed, the cookie passed by hand. */
const request = async (url: string, options: { cookie?: string; method?: string; form?: Record<string, string> } = {}): Promise<Reply> => {
  const response = await fetch(url, {
    method: options.method ?? (options.form ? 'POST' : 'GET'),
    redirect: 'manual',
    headers: options.cookie === undefined ? {} : { cookie: options.cookie },
    ...(options.form ? { body: new URLSearchParams(options.form) } : {}),
  });
  return { status: response.status, location: response.headers.get('location'), setCookie: response.headers.get('set-cookie'), body: await response.text() };
};

/** Logs in through the form and returns the `name=value` of the session cookie (and the raw header). */
const login = async (namespace: string, site: WebArenaSite): Promise<{ cookie: string; header: string }> => {
  const { username, password, loginPath } = fixture.credentials[site];
  const reply = await request(`${fixture.sitesFor(namespace)[site]}${loginPath}`, { form: { username, password } });
  expect(reply.status).toBe(302);
  const header = reply.setCookie ?? '';
  return { cookie: header.split(';')[0] ?? '', header };
};

const priceOf = async (namespace: string, cookie: string, productId: number): Promise<string | undefined> => {
  const page = await request(`${fixture.sitesFor(namespace).shopping_admin}/products/${productId}/edit`, { cookie });
  expect(page.status).toBe(200);
  return cheerio.load(page.body)('input[name="product[price]"]').attr('value');
};

const setPrice = async (namespace: string, cookie: string, productId: number, price: string): Promise<Reply> =>
  request(`${fixture.sitesFor(namespace).shopping_admin}/products/${productId}/edit`, {
    cookie,
    form: { 'product[name]': 'Cedar Training Jacket', 'product[price]': price, 'product[quantity]': '134', 'product[status]': '1' },
  });

describe('WebArena fixture: serving, login and namespaces', () => {
  it('answers /healthz and gives both sites per namespace without a trailing slash', async () => {
    const health = await request(`${fixture.url}/healthz`);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok', sites: ['shopping_admin', 'reddit'] });
    expect(fixture.sitesFor('ep-42')).toEqual({ shopping_admin: `${fixture.url}/ns/ep-42/shopping_admin`, reddit: `${fixture.url}/ns/ep-42/reddit` });
    expect(fixture.credentials.shopping_admin).toEqual({ username: 'admin', password: 'admin1234', loginPath: '/login' });
    expect(fixture.credentials.reddit).toEqual({ username: 'MarvelsGrant', password: 'test1234', loginPath: '/login' });
  });

  it('redirects to the login form when not logged in, for pages and form posts alike', async () => {
    for (const site of webArenaSites) {
      const base = fixture.sitesFor('anon')[site];
      const page = await request(`${base}/${site === 'reddit' ? 'f/books' : 'orders'}?page=2`);
      expect(page.status).toBe(302);
      expect(page.location).toBe(`/ns/anon/${site}/login?return_to=${encodeURIComponent(`/ns/anon/${site}/${site === 'reddit' ? 'f/books' : 'orders'}?page=2`)}`);
      const form = await request(`${base}/login`);
      expect(form.status).toBe(200);
      const $ = cheerio.load(form.body);
      expect($('label[for="login-username"]').text()).toBe('Username');
      expect($('label[for="login-password"]').text()).toBe('Password');
      expect($('#login-password').attr('type')).toBe('password');
    }
    const post = await setPrice('anon', '', 3, '1.00');
    expect(post.status).toBe(302);
    expect(post.location).toBe('/ns/anon/shopping_admin/login');
  });

  it('redirects a bare site base URL to its trailing-slash form, where the cookie path applies', async () => {
    const reply = await request(`${fixture.sitesFor('slash').shopping_admin}?x=1`);
    expect(reply.status).toBe(302);
    expect(reply.location).toBe('/ns/slash/shopping_admin/?x=1');
  });

  it('rejects wrong credentials without setting a cookie', async () => {
    const reply = await request(`${fixture.sitesFor('bad').reddit}/login`, { form: { username: 'MarvelsGrant', password: 'nope' } });
    expect(reply.status).toBe(200);
    expect(reply.setCookie).toBeNull();
    expect(reply.body).toContain('Invalid credentials.');
  });

  it('logs in per namespace and per site: the cookie is path-scoped and valid only where it was issued', async () => {
    const { cookie, header } = await login('ns-login-a', 'shopping_admin');
    expect(header).toContain('Path=/ns/ns-login-a/shopping_admin/');
    expect(header).toContain('HttpOnly');
    const own = await request(`${fixture.sitesFor('ns-login-a').shopping_admin}/orders`, { cookie });
    expect(own.status).toBe(200);
    expect(own.body).toContain('<h1>Orders</h1>');
    // The same token presented to another namespace or the other site is not a login there.
    expect((await request(`${fixture.sitesFor('ns-login-b').shopping_admin}/orders`, { cookie })).status).toBe(302);
    expect((await request(`${fixture.sitesFor('ns-login-a').reddit}/forums`, { cookie })).status).toBe(302);
    // A return_to inside the site is honoured, anything else falls back to the site's start.
    const back = await request(`${fixture.sitesFor('ns-login-a').reddit}/login`, {
      form: { username: 'MarvelsGrant', password: 'test1234', return_to: '/ns/ns-login-a/reddit/f/space' },
    });
    expect(back.location).toBe('/ns/ns-login-a/reddit/f/space');
    const open = await request(`${fixture.sitesFor('ns-login-a').reddit}/login`, { form: { username: 'MarvelsGrant', password: 'test1234', return_to: 'http://evil.example/' } });
    expect(open.location).toBe('/ns/ns-login-a/reddit/');
  });

  it('logs out: the session ends and the cookie is cleared', async () => {
    const { cookie } = await login('ns-logout', 'reddit');
    const out = await request(`${fixture.sitesFor('ns-logout').reddit}/logout`, { cookie, form: {} });
    expect(out.status).toBe(302);
    expect(out.setCookie).toContain('Path=/ns/ns-logout/reddit/');
    expect((await request(`${fixture.sitesFor('ns-logout').reddit}/forums`, { cookie })).status).toBe(302);
  });

  it('isolates state: a price changed in namespace A is unchanged in namespace B', async () => {
    const a = await login('iso-a', 'shopping_admin');
    const b = await login('iso-b', 'shopping_admin');
    expect(await priceOf('iso-a', a.cookie, 3)).toBe('88.50');
    const saved = await setPrice('iso-a', a.cookie, 3, '$79.9');
    expect(saved.status).toBe(303);
    expect(await priceOf('iso-a', a.cookie, 3)).toBe('79.90');
    expect(await priceOf('iso-b', b.cookie, 3)).toBe('88.50');
    const invalid = await setPrice('iso-a', a.cookie, 3, 'cheap');
    expect(invalid.status).toBe(422);
    expect(invalid.body).toContain('Please enter a valid price');
  });

  it('POST /ns/<ns>/__reset restores the seed and keeps the login', async () => {
    const { cookie } = await login('reset-a', 'shopping_admin');
    await setPrice('reset-a', cookie, 3, '10.00');
    expect(await priceOf('reset-a', cookie, 3)).toBe('10.00');
    const reset = await request(`${fixture.url}/ns/reset-a/__reset`, { method: 'POST' });
    expect(reset.status).toBe(200);
    expect(JSON.parse(reset.body)).toEqual({ namespace: 'reset-a', reset: true });
    expect(await priceOf('reset-a', cookie, 3)).toBe('88.50');
  });

  it('DELETE /ns/<ns> drops the namespace: data and logins', async () => {
    const { cookie } = await login('drop-a', 'shopping_admin');
    await setPrice('drop-a', cookie, 3, '10.00');
    expect(fixture.store.has('drop-a')).toBe(true);
    const dropped = await request(`${fixture.url}/ns/drop-a`, { method: 'DELETE' });
    expect(JSON.parse(dropped.body)).toEqual({ namespace: 'drop-a', dropped: true });
    expect(fixture.store.has('drop-a')).toBe(false);
    expect(JSON.parse((await request(`${fixture.url}/ns/drop-a`, { method: 'DELETE' })).body)).toEqual({ namespace: 'drop-a', dropped: false });
    expect((await request(`${fixture.sitesFor('drop-a').shopping_admin}/orders`, { cookie })).status).toBe(302);
    const again = await login('drop-a', 'shopping_admin');
    expect(await priceOf('drop-a', again.cookie, 3)).toBe('88.50');
  });

  it('refuses namespaces that are not safe path segments', async () => {
    expect((await request(`${fixture.url}/ns/${encodeURIComponent('a b')}/shopping_admin/login`)).status).toBe(400);
    expect((await request(`${fixture.url}/ns/${'x'.repeat(80)}/__reset`, { method: 'POST' })).status).toBe(400);
  });

  it('reaps idle namespaces and caps how many are kept', async () => {
    const small = await startWebArenaFixture({ idleMs: 150, reapIntervalMs: 25, maxNamespaces: 2 });
    try {
      await request(`${small.sitesFor('idle').shopping_admin}/login`);
      expect(small.store.has('idle')).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(small.store.has('idle')).toBe(false);
      expect(JSON.parse((await request(`${small.url}/healthz`)).body)).toMatchObject({ namespaces: 0, idle_ms: 150 });
      for (const name of ['one', 'two', 'three']) await request(`${small.sitesFor(name).reddit}/login`);
      expect([small.store.has('one'), small.store.has('two'), small.store.has('three')]).toEqual([false, true, true]);
    } finally {
      await small.close();
    }
  });
});

describe('WebArena fixture: tasks.json', () => {
  const all = tasks.map((task) => task.eval);
  const targets = all.flatMap((evaluation) => evaluation.program_html);

  it('has at least 16 tasks with unique ids and every WebArena config key', () => {
    expect(tasks.length).toBeGreaterThanOrEqual(16);
    expect(new Set(tasks.map((task) => task.task_id)).size).toBe(tasks.length);
    const keys = ['sites', 'task_id', 'require_login', 'storage_state', 'start_url', 'geolocation', 'intent_template', 'instantiation_dict', 'intent', 'require_reset', 'eval', 'intent_template_id'];
    const evalKeys = ['eval_types', 'reference_answers', 'reference_url', 'program_html', 'string_note', 'reference_answer_raw_annotation'];
    for (const task of tasks) {
      expect(Object.keys(task).sort()).toEqual([...keys].sort());
      for (const key of evalKeys) expect(task.eval).toHaveProperty(key);
      expect(task).toMatchObject({ require_login: true, storage_state: null, geolocation: null, require_reset: false });
      expect(task.sites.every((site) => (webArenaSites as readonly string[]).includes(site))).toBe(true);
      for (const url of task.start_url.split(' |AND| ')) expect(url).toMatch(/^(__SHOPPING_ADMIN__|__REDDIT__)/);
      for (const target of task.eval.program_html) expect(target.url).toMatch(/^(__SHOPPING_ADMIN__|__REDDIT__|last$|func:reddit_get_post_url\('__last_url__'\)$)/);
    }
  });

  it('covers the evaluator variants', () => {
    const answers = all.flatMap((evaluation) => (evaluation.reference_answers ? [evaluation.reference_answers] : []));
    const types = all.map((evaluation) => evaluation.eval_types.join('+'));
    expect(answers.some((answer) => typeof answer.exact_match === 'string')).toBe(true);
    expect(answers.some((answer) => answer.must_include?.length === 1 && answer.must_include[0]?.length === 1)).toBe(true);
    expect(answers.some((answer) => (answer.must_include?.length ?? 0) > 1)).toBe(true);
    expect(answers.some((answer) => Array.isArray(answer.fuzzy_match))).toBe(true);
    expect(all.some((evaluation) => evaluation.reference_answers?.fuzzy_match === 'N/A' && evaluation.string_note !== '')).toBe(true);
    expect(all.some((evaluation) => evaluation.eval_types.includes('url_match') && (evaluation.reference_url ?? '').includes('?'))).toBe(true);
    expect(targets.some((target) => /^document\.querySelector\(.*\)\.value$/.test(target.locator))).toBe(true);
    expect(targets.some((target) => /^document\.querySelector\(.*\)\.outerText$/.test(target.locator))).toBe(true);
    expect(targets.some((target) => (target.prep_actions?.length ?? 0) > 0)).toBe(true);
    expect(targets.some((target) => target.locator === '')).toBe(true);
    expect(targets.some((target) => (target.required_contents.must_include ?? []).some((content) => content.includes(' |OR| ')))).toBe(true);
    expect(targets.some((target) => target.url === 'last')).toBe(true);
    // The one helper the local sites serve (the forum's post URLs); the others are tested on pages shaped like their sites.
    expect(targets.some((target) => target.url === "func:reddit_get_post_url('__last_url__')")).toBe(true);
    expect(types).toContain('string_match+url_match');
    expect(types).toContain('url_match+program_html');
    expect(tasks.some((task) => task.start_url.includes(' |AND| '))).toBe(true);
  });

  it('every start_url answers 200 after login, on every tab', async () => {
    const sites = fixture.sitesFor('starts');
    const replay = new HttpReplay(sites);
    for (const site of webArenaSites) await replay.login(site);
    for (const task of tasks) {
      for (const url of startUrls(task.start_url, sites)) {
        const page = await replay.open(url);
        expect(page.status, `task ${task.task_id}: ${url}`).toBe(200);
        expect(page.url, `task ${task.task_id} ended on the login page`).not.toMatch(/\/login(\?|$)/);
      }
    }
  });

  it('every program_html url resolves after login', async () => {
    const sites = fixture.sitesFor('program-urls');
    const replay = new HttpReplay(sites);
    for (const site of webArenaSites) await replay.login(site);
    // `last` and helper URLs depend on where the episode ends.
    for (const target of targets.filter((candidate) => candidate.url !== 'last' && !candidate.url.startsWith('func:'))) {
      const page = await replay.open(fillPlaceholders(target.url, sites));
      expect(page.status, target.url).toBe(200);
      expect(page.url).not.toMatch(/\/login(\?|$)/);
    }
  });

  it('labels every visible form control on the start pages', async () => {
    const sites = fixture.sitesFor('labels');
    const replay = new HttpReplay(sites);
    for (const site of webArenaSites) await replay.login(site);
    const urls = new Set(tasks.flatMap((task) => startUrls(task.start_url, sites)));
    for (const extra of ['/orders', '/products', '/products/1/edit', '/orders/1', '/customers']) urls.add(sites.shopping_admin + extra);
    for (const extra of ['/f/books', '/f/books/3', '/submit', '/user/MarvelsGrant']) urls.add(sites.reddit + extra);
    for (const url of urls) {
      const $ = (await replay.open(url)).$;
      for (const control of $('input:not([type=hidden]), select, textarea').toArray()) {
        const id = $(control).attr('id');
        expect(id !== undefined && $(`label[for="${id}"]`).length === 1, `${url}: control ${$.html(control)}`).toBe(true);
      }
      expect($('main h1').length, url).toBe(1);
      expect($('table th').length === 0 || $('table th[scope]').length === $('table th').length, url).toBe(true);
    }
  });
});

describe('WebArena fixture: reference actions', () => {
  it('has a parseable sequence for every task, ending in stop, answering the exact_match', () => {
    expect(Object.keys(referenceActions).sort()).toEqual(tasks.map((task) => String(task.task_id)).sort());
    for (const task of tasks) {
      const actions = referenceActions[String(task.task_id)] ?? [];
      expect(actions.length).toBeGreaterThan(0);
      const parsed = actions.map(parseReferenceAction);
      const last = parsed[parsed.length - 1];
      expect(last?.kind, `task ${task.task_id}`).toBe('stop');
      expect(parsed.slice(0, -1).every((action) => action.kind !== 'stop')).toBe(true);
      const exact = task.eval.reference_answers?.exact_match;
      if (exact !== undefined && last?.kind === 'stop') expect(last.answer).toBe(exact);
      if (task.eval.reference_answers?.fuzzy_match === 'N/A' && last?.kind === 'stop') expect(last.answer).toBe('N/A');
    }
  });

  it('parses the documented target syntax', () => {
    expect(parseReferenceAction("type [textbox 'Search by keyword'] [blue] [1]")).toEqual({ kind: 'type', target: { role: 'textbox', name: 'Search by keyword' }, text: 'blue', pressEnter: true });
    expect(parseReferenceAction("type [combobox 'Status'] [Complete] [0]")).toMatchObject({ kind: 'type', pressEnter: false, text: 'Complete' });
    expect(parseReferenceAction('click [link "Don\'t panic"]')).toEqual({ kind: 'click', target: { role: 'link', name: "Don't panic" } });
    expect(parseReferenceAction('goto [__SHOPPING_ADMIN__/orders?status=pending]')).toEqual({ kind: 'goto', url: '__SHOPPING_ADMIN__/orders?status=pending' });
    expect(parseReferenceAction('stop []')).toEqual({ kind: 'stop', answer: '' });
    expect(() => parseReferenceAction('click [12]')).toThrow(/not a reference action/);
  });

  // Each replay gets its own namespace, so state-changing tasks run side by side without interfering.
  it.each(tasks.map((task) => [task.task_id, task] as const))('task %i: the reference sequence solves it over HTTP, doing nothing does not', async (id, task) => {
    const sites = fixture.sitesFor(`replay-${id}`);
    const idle = new HttpReplay(sites);
    for (const site of task.sites) await idle.login(site);
    await idle.start(task.start_url);
    const fuzzyOnly = Array.isArray(task.eval.reference_answers?.fuzzy_match);
    if (!fuzzyOnly) expect((await evaluateOverHttp(task.eval, '', idle, sites)).score, `task ${id} passes without acting`).toBe(0);

    const replay = new HttpReplay(sites);
    for (const site of task.sites) await replay.login(site);
    await replay.start(task.start_url);
    const answer = await replay.run(referenceActions[String(id)] ?? []);
    const result = await evaluateOverHttp(task.eval, answer ?? '', replay, sites);
    expect(result.score, result.details.join('\n')).toBe(1);
  });
});

describe('WebArena fixture: cookie jar used by the HTTP replay', () => {
  it('sends a cookie only under its path, as a browser does', () => {
    const jar = new CookieJar();
    jar.store('http://h:1/ns/a/reddit/login', new Headers([['set-cookie', 'webarena_session=t1; Path=/ns/a/reddit/; HttpOnly']]));
    expect(jar.header('http://h:1/ns/a/reddit/f/books')).toBe('webarena_session=t1');
    expect(jar.header('http://h:1/ns/a/reddit')).toBe('');
    expect(jar.header('http://h:1/ns/b/reddit/f/books')).toBe('');
    jar.store('http://h:1/ns/a/reddit/logout', new Headers([['set-cookie', 'webarena_session=; Path=/ns/a/reddit/; Expires=Thu, 01 Jan 1970 00:00:00 GMT']]));
    expect(jar.header('http://h:1/ns/a/reddit/f/books')).toBe('');
    expect(pathMatches('/ns/a/reddit2/x', '/ns/a/reddit')).toBe(false);
  });
});
