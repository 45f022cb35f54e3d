import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteCanonicalKey } from '../adapters/webarena/site-page-rules.js';
import type { Episode, Transition } from '../src/protocol/index.js';
import { projectRoot, runCli } from './helpers/cli.js';
import { dokuWikiOrSkip, startDokuWiki, WIKI_USER, type RunningWiki } from './helpers/dokuwiki.js';

// A real third-party web application installed from Debian (dokuwiki, served by php-cli) driven
// through a site file with a site name of its own (`wiki`): tasks of every evaluator type, a login
// with a success check, a reset command restoring the wiki's data between episodes.

const found = dokuWikiOrSkip('DokuWiki site-file tests');
const example = join(projectRoot, 'examples', 'dokuwiki');
const tasksFile = join(example, 'tasks.json');
const oracle = join(example, 'reference-actions.json');
const noWork = join(example, 'no-work-actions.json');

let wiki: RunningWiki;
let work: string;
let runs = 0;

const readLines = <T>(file: string): T[] => readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T);

/** The example site file with the test wiki's URL, optionally changed, written where its reset command runs. */
const siteFile = (change: (wikiSite: Record<string, unknown>) => void = () => undefined, name = 'site.json'): string => {
  const file = JSON.parse(readFileSync(join(example, 'site.json'), 'utf8')) as { sites: { wiki: Record<string, unknown> } };
  file.sites.wiki['url'] = wiki.url;
  change(file.sites.wiki);
  const path = join(wiki.dir, name);
  writeFileSync(path, JSON.stringify(file, null, 2));
  return path;
};

/** A configs file with only some of the example tasks. */
const configsOf = (ids: readonly number[]): string => {
  const all = JSON.parse(readFileSync(tasksFile, 'utf8')) as Array<{ task_id: number }>;
  const path = join(work, `tasks-${ids.join('-')}.json`);
  writeFileSync(path, JSON.stringify(all.filter((t) => ids.includes(t.task_id))));
  return path;
};

const collect = async (args: string[], authDir = work): Promise<{ code: number | null; stderr: string; stdout: string; out: string }> => {
  runs += 1;
  const out = join(work, `run-${runs}`);
  const result = await runCli(['collect', '--env', 'webarena', '--auth-dir', authDir, '--out', out, ...args], { timeoutMs: 240_000 });
  return { ...result, out };
};

const rewards = (out: string): Record<string, number> => Object.fromEntries(readLines<Episode>(join(out, 'episodes.jsonl')).map((e) => [e.task_id, e.total_reward]));

describe.skipIf(!found)('a Debian DokuWiki through a site file', () => {
  beforeAll(async () => {
    process.env['WIKI_PASSWORD'] = WIKI_USER.password;
    wiki = await startDokuWiki(found?.php ?? 'php');
    work = mkdtempSync(join(tmpdir(), 'dreambridge-wiki-runs-'));
  }, 60_000);

  afterAll(async () => {
    delete process.env['WIKI_PASSWORD'];
    await wiki?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('validates tasks on a site of its own name', async () => {
    const result = await runCli(['tasks', 'validate', tasksFile]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('6 tasks valid');
    expect(result.stdout).toContain('sites: wiki 6');
  });

  it('scores every task 1 with its reference actions and 0 without the work, twice in a row, with a reset before each episode', async () => {
    const site = siteFile();
    const ids = ['0', '1', '2', '3', '4', '5'];
    for (const round of [1, 2]) {
      const done = await collect(['--configs', tasksFile, '--site-file', site, '--policy', 'oracle', '--actions', oracle]);
      expect(done.code, done.stderr).toBe(0);
      expect(rewards(done.out), `round ${round} with the work`).toEqual(Object.fromEntries(ids.map((id) => [id, 1])));
      const episodes = readLines<Episode>(join(done.out, 'episodes.jsonl'));
      for (const episode of episodes) {
        expect(episode.reset).toMatchObject({ resets: [{ site: 'wiki', kind: 'command', reason: 'episode' }] });
        const [record] = (episode.reset as { resets: Array<{ ms: number; ready_ms: number }> }).resets;
        expect(record?.ms).toBeGreaterThanOrEqual(0);
        expect(record?.ready_ms).toBeGreaterThanOrEqual(0);
      }
      // After the oracle edited and created pages, "no work" still scores 0: the reset undid the edits.
      const idle = await collect(['--configs', tasksFile, '--site-file', site, '--policy', 'replay', '--actions', noWork]);
      expect(idle.code, idle.stderr).toBe(0);
      expect(rewards(idle.out), `round ${round} without the work`).toEqual(Object.fromEntries(ids.map((id) => [id, 0])));
      if (round === 1) {
        const transitions = readLines<Transition>(join(done.out, 'transitions.jsonl'));
        const manifest = JSON.parse(readFileSync(join(done.out, 'manifest.json'), 'utf8')) as { site: Record<string, unknown> };
        expect(manifest.site['site_definitions']).toMatchObject({ wiki: { isolated: false, reset: { kind: 'command', when: 'episode' }, login_check: true } });
        // Page types follow the site file's rules: the edit form is a page type of its own.
        const types = new Set(transitions.map((t) => t.next_state.page_type));
        expect(types).toContain('wiki:/doku.php?do=edit');
        expect(types).toContain('wiki:/doku.php');
        // The page before and after the edit: same URL, different canonical key (the main region changed).
        const edit = transitions.filter((t) => t.task_id === '4');
        const before = edit[0]?.next_state;
        const after = edit.find((t) => t.action.startsWith('click') && t.next_state.url === before?.url && t.step > 0)?.next_state;
        expect(before && after).toBeTruthy();
        const rules = { wiki: { url: wiki.url, pages: [{ path: '/doku.php', type_query: ['do'], key_query: ['id', 'do', 'rev'] }] } };
        const keyBefore = siteCanonicalKey(before!, rules);
        const keyAfter = siteCanonicalKey(after!, rules);
        expect(keyBefore?.key).toMatch(/^wiki:\/doku\.php\?id=projects%3Aapollo\|/);
        expect(keyAfter?.key).not.toBe(keyBefore?.key);
        // A login ran once, was checked, and its storage state is reused by the later episodes.
        expect(existsSync(join(work, '.auth', 'wiki_state.json'))).toBe(true);
      }
    }
    // The reset restored the wiki's files too.
    expect(readFileSync(wiki.pageFile('projects:apollo'), 'utf8')).not.toContain('Status: done');
  }, 900_000);

  it('run --group 3 of an editing task restores the wiki between rollouts; without a reset it is refused, and dirty it drifts', async () => {
    const edit = configsOf([4]);
    const out = join(work, 'group');
    const grouped = await runCli(['run', '--env', 'webarena', '--schedule', 'real', '--configs', edit, '--site-file', siteFile(), '--auth-dir', work, '--policy', 'oracle', '--actions', oracle, '--episodes', '3', '--group', '3', '--out', out], { timeoutMs: 240_000 });
    expect(grouped.code, grouped.stderr).toBe(0);
    const episodes = readLines<Episode>(join(out, 'episodes.jsonl'));
    expect(episodes.map((e) => e.total_reward)).toEqual([1, 1, 1]);
    expect(episodes.every((e) => (e.reset as { resets: unknown[] } | undefined)?.resets.length === 1)).toBe(true);
    expect(grouped.stdout).toMatch(/task 4: n 3, mean 1\.000, variance 0\.000/);

    const noReset = siteFile((s) => delete s['reset'], 'site-no-reset.json');
    const refused = await collect(['--configs', edit, '--site-file', noReset, '--policy', 'oracle', '--actions', oracle]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error RESET_REQUIRED: 1 task \(4\) has require_reset: true but wiki has no reset: add "reset" to the site in --site-file, or pass --allow-dirty/m);

    // The same group on the dirty wiki (from a clean start: resets run before episodes, so the last
    // rollout's edit is still there): the second and third rollouts see the first one's edit.
    execSync(wiki.resetCommand, { cwd: wiki.dir });
    const dirtyOut = join(work, 'group-dirty');
    const dirty = await runCli(['run', '--env', 'webarena', '--schedule', 'real', '--configs', edit, '--site-file', noReset, '--allow-dirty', '--auth-dir', work, '--policy', 'oracle', '--actions', oracle, '--episodes', '3', '--group', '3', '--out', dirtyOut], { timeoutMs: 240_000 });
    expect(dirty.code, dirty.stderr).toBe(0);
    const drifted = readLines<Episode>(join(dirtyOut, 'episodes.jsonl'));
    expect(drifted.map((e) => e.total_reward)).toEqual([1, 0, 0]);
    expect(drifted.every((e) => e.reset === undefined)).toBe(true);
    const manifest = JSON.parse(readFileSync(join(dirtyOut, 'manifest.json'), 'utf8')) as { site: Record<string, unknown> };
    expect(manifest.site['dirty_tasks']).toEqual(['4']);
    // Put the wiki back for the other tests.
    execSync(wiki.resetCommand, { cwd: wiki.dir });
  }, 900_000);

  it('refuses --concurrency 2 on a site that does not declare isolated episodes', async () => {
    const result = await collect(['--configs', tasksFile, '--site-file', siteFile(), '--policy', 'oracle', '--actions', oracle, '--concurrency', '2']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error CONFIG_INVALID: --concurrency 2: wiki does not declare isolated episodes/m);
  }, 120_000);

  it("applies the site's max_steps, and allows --concurrency 2 on a site declared isolated", async () => {
    const actions = join(work, 'scrolls.json');
    writeFileSync(actions, JSON.stringify({ '0': ['scroll [down]', 'scroll [up]', 'scroll [down]', 'stop [1969]'] }));
    const short = await collect(['--configs', configsOf([0]), '--site-file', siteFile((s) => (s['max_steps'] = 2), 'site-short.json'), '--policy', 'replay', '--actions', actions]);
    expect(short.code, short.stderr).toBe(0);
    const [episode] = readLines<Episode>(join(short.out, 'episodes.jsonl'));
    expect(episode).toMatchObject({ steps: 2, termination: 'max_steps' });

    // Read-only tasks on a site declared isolated (no reset, so nothing is restored under a running episode).
    const isolated = siteFile((s) => {
      s['isolated'] = true;
      delete s['reset'];
    }, 'site-isolated.json');
    const parallel = await collect(['--configs', configsOf([0, 1, 2, 3]), '--site-file', isolated, '--policy', 'oracle', '--actions', oracle, '--concurrency', '2']);
    expect(parallel.code, parallel.stderr).toBe(0);
    expect(rewards(parallel.out)).toEqual({ '0': 1, '1': 1, '2': 1, '3': 1 });
  }, 240_000);

  it('a wrong password is LOGIN_FAILED quoting the wiki, and writes no storage state', async () => {
    const authDir = join(work, 'auth-wrong');
    mkdirSync(authDir);
    const result = await collect(['--configs', configsOf([0]), '--site-file', siteFile(), '--login', `wiki=${WIKI_USER.username}:not-the-password`, '--policy', 'oracle', '--actions', oracle], authDir);
    expect(result.code).toBe(0);
    const [episode] = readLines<Episode>(join(result.out, 'episodes.jsonl'));
    expect(episode?.termination).toBe('error');
    expect(episode?.error).toMatch(/^LOGIN_FAILED: login to wiki failed: the success check failed after submitting .*do=login \(no link 'Log Out' on the page\); the page said: "Sorry, username or password was wrong\."$/);
    expect(existsSync(join(authDir, '.auth', 'wiki_state.json'))).toBe(false);
  }, 120_000);

  it('a stale storage state is STORAGE_STATE_STALE without credentials, and renewed by a login with them', async () => {
    const authDir = join(work, 'auth-stale');
    mkdirSync(join(authDir, '.auth'), { recursive: true });
    const state = join(authDir, '.auth', 'wiki_state.json');
    // What a failed login used to leave behind: only an anonymous session cookie for the wiki.
    const anonymous = await fetch(`${wiki.url}/doku.php?id=start`);
    const cookie = /^([^=]+)=([^;]*)/.exec(anonymous.headers.get('set-cookie') ?? '');
    expect(cookie).not.toBeNull();
    const stale = { cookies: [{ name: cookie![1], value: cookie![2], domain: '127.0.0.1', path: '/', expires: -1, httpOnly: true, secure: false, sameSite: 'Lax' }], origins: [] };
    writeFileSync(state, JSON.stringify(stale));

    const noCredentials = siteFile((s) => {
      const login = s['login'] as Record<string, unknown>;
      delete login['username'];
      delete login['password_env'];
    }, 'site-no-credentials.json');
    const refused = await collect(['--configs', configsOf([0]), '--site-file', noCredentials, '--policy', 'oracle', '--actions', oracle], authDir);
    const [episode] = readLines<Episode>(join(refused.out, 'episodes.jsonl'));
    expect(episode?.error).toMatch(/^STORAGE_STATE_STALE: storage state .*wiki_state\.json is stale for wiki: no link 'Log Out' on the page/);
    expect(readFileSync(state, 'utf8')).toBe(JSON.stringify(stale));

    const renewed = await collect(['--configs', configsOf([0]), '--site-file', siteFile(), '--policy', 'oracle', '--actions', oracle], authDir);
    expect(renewed.code, renewed.stderr).toBe(0);
    expect(rewards(renewed.out)).toEqual({ '0': 1 });
    const written = JSON.parse(readFileSync(state, 'utf8')) as { cookies: Array<{ name: string }> };
    expect(written.cookies.some((c) => c.name.startsWith('DW'))).toBe(true);
    // The renewed episode was logged in: its first page shows the user.
    const [first] = readLines<Transition>(join(renewed.out, 'transitions.jsonl'));
    expect(first?.state.text).toContain("link 'Log Out'");
  }, 240_000);
});
