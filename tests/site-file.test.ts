import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSiteFile, readSiteFile } from '../adapters/webarena/site-file.js';
import { mainRegionText, siteCanonicalKey, sitePageType } from '../adapters/webarena/site-page-rules.js';
import { runSiteReset } from '../adapters/webarena/site-reset.js';
import { checkRequiredResets, SiteResets } from '../adapters/webarena/site-resets.js';
import { parseWebArenaTasks } from '../adapters/webarena/webarena-task-config.js';
import { codeOf } from '../src/env/code-of.js';
import { projectRoot } from './helpers/cli.js';

const problem = (json: unknown): string => {
  try {
    parseSiteFile(json, 'site.json');
  } catch (e) {
    expect(codeOf(e)).toBe('CONFIG_INVALID');
    return (e as Error).message;
  }
  throw new Error('expected CONFIG_INVALID');
};

const wiki = (entry: Record<string, unknown>): unknown => ({ sites: { wiki: { url: 'http://127.0.0.1:8080', ...entry } } });

describe('site files', () => {
  it('reads the example and makes its paths absolute', () => {
    const specs = readSiteFile(join(projectRoot, 'examples', 'dokuwiki', 'site.json'));
    const spec = specs.get('wiki');
    expect(spec).toMatchObject({ name: 'wiki', url: 'http://127.0.0.1:8080', isolated: false, maxSteps: 15, reset: { when: 'episode', cwd: join(projectRoot, 'examples', 'dokuwiki') } });
    expect(spec?.login?.success).toEqual({ element_present: { role: 'link', name: 'Log Out' } });
    expect(spec?.pages).toEqual([{ path: '/doku.php', type_query: ['do'], key_query: ['id', 'do', 'rev'] }]);
  });

  it('names the field path of every kind of mistake', () => {
    expect(problem({})).toBe('site.json: sites: expected record, received undefined');
    expect(problem({ sites: {} })).toBe('site.json: sites: expected at least one site');
    expect(problem(wiki({ reset: { command: 'true', when: 'always' } }))).toMatch(/^site\.json: sites\.wiki\.reset\.when: expected one of "episode"\|"run"\|"never"/);
    expect(problem(wiki({ reset: { when: 'run' } }))).toBe('site.json: sites.wiki.reset: expected either "command" or "http"');
    expect(problem(wiki({ login: { url: '/login', success: {} } }))).toBe('site.json: sites.wiki.login.success: expected at least one of url, text_present, text_absent, element_present, element_absent');
    expect(problem(wiki({ login: { url: '/login', success: { url: '(' } } }))).toBe('site.json: sites.wiki.login.success.url: not a valid regular expression');
    expect(problem(wiki({ login: { url: '/login', success: { element_present: { name: 'x' } } } }))).toBe('site.json: sites.wiki.login.success.element_present: expected either "role" (with "name") or "selector"');
    expect(problem(wiki({ login: { url: '/login', success: { text_present: 'Hi' }, submitt: {} } }))).toBe('site.json: sites.wiki.login: unexpected key "submitt"');
    expect(problem(wiki({ pages: [{ path: 'doku.php' }] }))).toBe('site.json: sites.wiki.pages[0].path: must start with "/"');
    expect(problem(wiki({ max_steps: 0 }))).toBe('site.json: sites.wiki.max_steps: expected number to be >0');
    expect(problem(wiki({ isolated: 'yes', max_steps: 0 }))).toBe('site.json: sites.wiki.max_steps: expected number to be >0 (and 1 more problem)');
    expect(problem({ sites: { wiki: { url: 'localhost' } } })).toBe('site.json: sites.wiki.url: "localhost" is not a URL (expected e.g. http://localhost:7770)');
    expect(problem({ sites: { 'My Wiki': { url: 'http://a' } } })).toMatch(/^site\.json: sites\.My Wiki: not a site name/);
  });

  it('takes a password from the variable the file names', () => {
    process.env['SITE_FILE_TEST_PASSWORD'] = 's3cret';
    try {
      const specs = parseSiteFile(wiki({ login: { url: '/login', username: 'alice', password_env: 'SITE_FILE_TEST_PASSWORD', success: { text_present: 'Log Out' } } }), 'site.json');
      expect(specs.get('wiki')?.login?.password).toBe('s3cret');
    } finally {
      delete process.env['SITE_FILE_TEST_PASSWORD'];
    }
  });
});

const tree = (content: string): string =>
  ["Tab 0 (current): projects:apollo [Team Wiki]", '', "[1] RootWebArea 'projects:apollo [Team Wiki]' focused: True", "\t[2] link 'skip to content'", "\t[3] main ''", ...content.split('\n').map((line, i) => `\t\t[${10 + i}] StaticText '${line}'`), "\t[40] navigation 'Page Tools'", "\t\t[41] link 'Edit this page [e]'"].join('\n');

describe('page types and canonical keys of site-file sites', () => {
  const rules = { wiki: { url: 'http://w:8080', pages: [{ path: '/doku.php', type_query: ['do'], key_query: ['id', 'do'] }] } };
  const url = 'http://w:8080/doku.php?id=projects:apollo';

  it('types pages by path and the named query values', () => {
    expect(sitePageType(url, rules)).toBe('wiki:/doku.php');
    expect(sitePageType(`${url}&do=edit`, rules)).toBe('wiki:/doku.php?do=edit');
    expect(sitePageType('http://w:8080/lib/exe/detail.php?media=a.png', rules)).toBe('wiki:/lib/exe/detail.php');
    expect(sitePageType('http://elsewhere/doku.php', rules)).toBeUndefined();
  });

  it('keys a page by path, named query values and its main content: an edit changes the key, renumbering does not', () => {
    const before = siteCanonicalKey({ url, text: tree('Launch year: 1969') }, rules);
    const after = siteCanonicalKey({ url, text: tree('Launch year: 1969\nStatus: done') }, rules);
    const renumbered = siteCanonicalKey({ url, text: tree('Launch year: 1969').replace(/\[(\d+)\]/g, (_, n: string) => `[${Number(n) + 500}]`) }, rules);
    expect(before?.version).toBe('site-key/1');
    expect(before?.key).toMatch(/^wiki:\/doku\.php\?id=projects%3Aapollo\|[0-9a-f]{16}$/);
    expect(after?.key).not.toBe(before?.key);
    expect(renumbered?.key).toBe(before?.key);
    // Outside the main region (the page tools) does not count.
    expect(siteCanonicalKey({ url, text: tree('Launch year: 1969').replace('Edit this page [e]', 'Edit') }, rules)?.key).toBe(before?.key);
    // Without rules: path and content; `content: false` leaves the content out.
    const bare = { wiki: { url: 'http://w:8080', pages: [] } };
    expect(siteCanonicalKey({ url, text: tree('a') }, bare)?.key).not.toBe(siteCanonicalKey({ url, text: tree('b') }, bare)?.key);
    const noContent = { wiki: { url: 'http://w:8080', pages: [{ path: '/doku.php', key_query: ['id'], content: false }] } };
    expect(siteCanonicalKey({ url, text: tree('a') }, noContent)?.key).toBe('wiki:/doku.php?id=projects%3Aapollo|-');
  });

  it('keys a state known by its text only (as fidelity compares them) by title and main content', () => {
    const before = siteCanonicalKey({ text: tree('Launch year: 1969') }, rules);
    expect(before?.key).toMatch(/^~projects:apollo \[Team Wiki\]\|[0-9a-f]{16}$/);
    expect(siteCanonicalKey({ text: tree('Launch year: 1969\nStatus: done') }, rules)?.key).not.toBe(before?.key);
    expect(siteCanonicalKey({ text: tree('Launch year: 1969').replace(/\[(\d+)\]/g, (_, n: string) => `[${Number(n) + 7}]`) }, rules)?.key).toBe(before?.key);
  });

  it('reads the main region without ids, focus or indentation', () => {
    expect(mainRegionText(tree('Launch year: 1969'))).toBe("StaticText 'Launch year: 1969'");
    expect(mainRegionText(tree('Last modified: 2026/12/02 04:23 by alice'))).toBe("StaticText 'Last modified: <time> by alice'");
    expect(mainRegionText(tree('at 2026-12-02T04:23:05Z and 17:04'))).toBe("StaticText 'at <time> and <time>'");
  });
});

describe('site resets', () => {
  let server: Server;
  let base = '';
  let resets = 0;
  let readyAfter = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/__reset' && req.method === 'POST') {
        resets += 1;
        readyAfter = Date.now() + 300;
        res.end('ok');
      } else if (req.url === '/__fail') {
        res.statusCode = 503;
        res.end('controller busy');
      } else if (req.url === '/') {
        const ready = Date.now() >= readyAfter;
        res.statusCode = ready ? 200 : 503;
        res.end(ready ? 'Team wiki' : 'starting');
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('an HTTP reset waits for readiness and records how long each part took', async () => {
    const record = await runSiteReset('wiki', base, { http: { url: '/__reset' }, ready: { text: 'Team wiki', timeout_ms: 5000 }, cwd: tmpdir() }, 'episode');
    expect(record).toMatchObject({ site: 'wiki', kind: 'http', reason: 'episode' });
    expect(record.ready_ms).toBeGreaterThanOrEqual(200);
    expect(resets).toBe(1);
  });

  it('a failing command or request is RESET_FAILED quoting what it said; a site never ready too', async () => {
    const failed = (promise: Promise<unknown>): Promise<string> =>
      promise.then(
        () => {
          throw new Error('expected RESET_FAILED');
        },
        (e: unknown) => {
          expect(codeOf(e)).toBe('RESET_FAILED');
          return (e as Error).message;
        },
      );
    expect(await failed(runSiteReset('wiki', base, { command: 'echo restoring; echo "no pristine copy" >&2; exit 3', cwd: tmpdir() }, 'episode'))).toBe('reset of wiki failed: the command exited with code 3: restoring no pristine copy');
    expect(await failed(runSiteReset('wiki', base, { http: { url: '/__fail' }, cwd: tmpdir() }, 'episode'))).toBe(`reset of wiki failed: POST ${base}/__fail answered 503: controller busy`);
    expect(await failed(runSiteReset('wiki', base, { command: 'true', ready: { url: '/missing', timeout_ms: 400 }, cwd: tmpdir() }, 'episode'))).toBe(`reset of wiki failed: not ready within 400 ms after the reset (GET ${base}/missing: status 404)`);
    expect(await failed(runSiteReset('wiki', base, { command: 'sleep 5', timeout_ms: 300, cwd: tmpdir() }, 'episode'))).toBe('reset of wiki failed: the command did not finish within 300 ms');
    const interrupt = new AbortController();
    setTimeout(() => interrupt.abort(), 200);
    const started = Date.now();
    expect(await failed(runSiteReset('wiki', base, { command: 'sleep 5', cwd: tmpdir() }, 'episode', interrupt.signal))).toBe('reset of wiki failed: interrupted while the command ran');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('runs the command in the site file folder with SITE_NAME and SITE_URL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dreambridge-reset-'));
    await runSiteReset('wiki', base, { command: 'echo "$SITE_NAME $SITE_URL" > ran.txt', cwd: dir }, 'run');
    expect(readFileSync(join(dir, 'ran.txt'), 'utf8').trim()).toBe(`wiki ${base}`);
  });

  it('episode resets every time, run resets once, require_reset tasks always; tasks needing a reset without one are refused unless allowed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dreambridge-resets-'));
    const file = join(dir, 'site.json');
    writeFileSync(file, JSON.stringify({ sites: { wiki: { url: base, reset: { command: 'echo x >> count.txt', when: 'run' } }, forum: { url: base } } }));
    const specs = readSiteFile(file);
    const task = (id: number, sites: string[], requireReset: boolean) =>
      parseWebArenaTasks({ sites, task_id: id, require_login: false, storage_state: null, start_url: '__WIKI__', geolocation: null, intent_template: 'x', instantiation_dict: {}, intent: 'x', require_reset: requireReset, intent_template_id: 0, eval: { eval_types: ['url_match'], reference_answers: null, reference_url: '__WIKI__', program_html: [] } }, 't.json')[0]!;
    const coordinator = new SiteResets(specs);
    const sites = { wiki: base };
    expect((await coordinator.beforeEpisode(task(1, ['wiki'], false), sites)).map((r) => r.reason)).toEqual(['run']);
    expect(await coordinator.beforeEpisode(task(2, ['wiki'], false), sites)).toEqual([]);
    expect((await coordinator.beforeEpisode(task(3, ['wiki'], true), sites)).map((r) => r.reason)).toEqual(['require_reset']);
    expect(readFileSync(join(dir, 'count.txt'), 'utf8')).toBe('x\nx\n');

    expect(checkRequiredResets([task(3, ['wiki'], true), task(4, ['wiki', 'forum'], false)], specs, false)).toEqual([]);
    try {
      checkRequiredResets([task(5, ['forum'], true), task(6, ['wiki', 'forum'], true)], specs, false);
      expect.unreachable();
    } catch (e) {
      expect(codeOf(e)).toBe('RESET_REQUIRED');
      expect((e as Error).message).toBe('2 tasks (5, 6) have require_reset: true but forum has no reset: add "reset" to the site in --site-file, or pass --allow-dirty to run on the site as it is');
    }
    expect(checkRequiredResets([task(5, ['forum'], true)], specs, true)).toEqual(['5']);
  });
});
