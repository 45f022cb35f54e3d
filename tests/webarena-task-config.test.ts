import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  parseSitesFlag,
  placeholdersIn,
  resolvePlaceholders,
  resolveSites,
  resolveStorageState,
  sitePlaceholder,
  siteEnvVar,
  startUrls,
  storageStatePath,
  WEBARENA_SITES,
} from '../adapters/webarena/webarena-sites.js';
import { parseWebArenaTasks, summarizeTasks, type WebArenaTask } from '../adapters/webarena/webarena-task-config.js';
import { codeOf } from '../src/env/code-of.js';
import { sharedFile } from './helpers/shared-data.js';

/** A minimal valid task in WebArena's shape. */
const task = (overrides: Record<string, unknown> = {}, evalOverrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  sites: ['shopping'],
  task_id: 17,
  require_login: true,
  storage_state: './.auth/shopping_state.json',
  start_url: '__SHOPPING__',
  geolocation: null,
  intent_template: 'What is the price of {{product}}',
  instantiation_dict: { product: 'a lamp' },
  intent: 'What is the price of a lamp',
  require_reset: false,
  intent_template_id: 3,
  eval: { eval_types: ['string_match'], reference_answers: { exact_match: '$12.00' }, reference_url: '', program_html: [], ...evalOverrides },
  ...overrides,
});

/** The CONFIG_INVALID message thrown for `json`. */
const problem = (json: unknown, file = 'tasks.json'): string => {
  try {
    parseWebArenaTasks(json, file);
  } catch (error) {
    expect(codeOf(error)).toBe('CONFIG_INVALID');
    return (error as Error).message;
  }
  throw new Error('expected CONFIG_INVALID');
};

describe('WebArena task configs', () => {
  it('accepts all 812 real configs as they are, with the reference counts', (context) => {
    const file = sharedFile('webarena/test.raw.json');
    if (!file) return context.skip();
    const raw: unknown = JSON.parse(readFileSync(file, 'utf8'));
    const tasks = parseWebArenaTasks(raw, file);
    expect(tasks).toHaveLength(812);
    const summary = summarizeTasks(tasks);
    expect(summary.byEvalTypes).toEqual({
      string_match: 325,
      program_html: 282,
      'url_match+program_html': 129,
      url_match: 66,
      'string_match+url_match': 10,
    });
    expect(summary.byAnswerKind).toEqual({ must_include: 176, fuzzy_match: 118, exact_match: 45, none: 477 });
    expect(summary.unachievable).toBe(36);
    expect(summary.bySite).toEqual({ shopping: 187, shopping_admin: 182, gitlab: 180, map: 109, reddit: 106, 'multi-site': 48 });
    // Multi-site tasks also count under each of their sites.
    expect(Object.values(summary.bySiteIncludingMulti).reduce((a, b) => a + b, 0)).toBe(812 - 48 + 2 * 48);
    // The irregularities the reference lists are kept, not normalised away.
    expect(tasks.filter((t) => t.eval.reference_answers === null)).toHaveLength(477);
    expect(tasks.filter((t) => t.eval.reference_url === null)).toHaveLength(7);
    expect(tasks.find((t) => t.task_id === 197)?.eval['annotation_note']).toBeTypeOf('string');
    expect(tasks.find((t) => t.task_id === 723)?.['string_note']).toBeTypeOf('string');
    const values = tasks.flatMap((t) => Object.values(t.instantiation_dict));
    expect(new Set(values.map((v) => (Array.isArray(v) ? 'list' : typeof v)))).toEqual(new Set(['string', 'number', 'list']));
    expect(new Set(tasks.map((t) => t.storage_state === null ? null : t.storage_state.startsWith('./.auth/')))).toEqual(new Set([true, null]));
    expect(tasks.some((t) => t.start_url.includes(' |AND| '))).toBe(true);
  });

  it('accepts one task object or a list', () => {
    expect(parseWebArenaTasks(task(), 'one.json')).toHaveLength(1);
    expect(parseWebArenaTasks([task(), task({ task_id: 18 })], 'two.json').map((t) => t.task_id)).toEqual([17, 18]);
  });

  it('names the file, the task id and the field path of a problem', () => {
    expect(problem(task({}, { reference_answers: { must_include: 'Sprite' } }))).toBe(
      'tasks.json: task 17: eval.reference_answers.must_include: expected an array of strings',
    );
    expect(problem([task(), task({ task_id: 5 }, { reference_answers: { must_include: ['a', 3] } })])).toBe(
      'tasks.json: task 5: eval.reference_answers.must_include: expected an array of strings',
    );
    // Any site name is accepted (a site of your own); a malformed one is not.
    expect(parseWebArenaTasks(task({ sites: ['wiki'] }), 'tasks.json')[0]?.sites).toEqual(['wiki']);
    expect(problem(task({ sites: ['My Wiki'] }))).toMatch(/^tasks\.json: task 17: sites\[0\]: expected a site name \(a site name is lower-case letters/);
    expect(problem(task({}, { eval_types: ['string_match', 'dom_match'] }))).toMatch(/^tasks\.json: task 17: eval\.eval_types\[1\]: expected one of/);
    expect(problem(task({}, { program_html: [{ url: 'last', locator: '', required_contents: { must_include: 'x' } }], eval_types: ['program_html'] }))).toBe(
      'tasks.json: task 17: eval.program_html[0].required_contents.must_include: expected an array of strings',
    );
    expect(problem(task({}, { reference_answers: { exact_match: 'x', regex: 'y' } }))).toBe('tasks.json: task 17: eval.reference_answers: unexpected key "regex"');
    expect(problem(task({ intent: undefined }))).toBe('tasks.json: task 17: intent: missing');
    expect(problem(task({ instantiation_dict: { n: true } }))).toBe('tasks.json: task 17: instantiation_dict.n: expected a string, a number or a list of them');
  });

  it('names the list index when the task id is missing, and rejects duplicate ids', () => {
    const { task_id: _omitted, ...noId } = task();
    expect(problem([task(), noId])).toBe('tasks.json: task at index 1: task_id: missing');
    expect(problem([task(), task()])).toBe('tasks.json: task 17: task_id: duplicate (also at index 0; this one at index 1)');
    expect(problem('nope')).toBe('tasks.json: expected a task object or a list of tasks');
    expect(problem([42])).toBe('tasks.json: task at index 0: expected a task object');
  });

  it('checks that each declared evaluator has what it needs', () => {
    expect(problem(task({}, { reference_answers: null }))).toBe('tasks.json: task 17: eval.reference_answers: string_match needs reference answers, got null');
    expect(problem(task({}, { eval_types: ['url_match'], reference_url: null }))).toBe('tasks.json: task 17: eval.reference_url: url_match needs a reference URL');
    expect(problem(task({}, { eval_types: ['program_html'] }))).toBe('tasks.json: task 17: eval.program_html: program_html needs at least one target');
    expect(problem(task({}, { reference_answers: { fuzzy_match: 'N/A' } }))).toBe(
      'tasks.json: task 17: eval.string_note: an "N/A" fuzzy_match needs the reason in string_note',
    );
    expect(problem(task({}, { url_note: 'PRED in GOLD' }))).toMatch(/eval\.url_note: expected "GOLD in PRED"/);
    // Only a dangling reference_url without url_match is tolerated (one real task has it).
    expect(parseWebArenaTasks(task({}, { reference_url: '__SHOPPING__/x' }), 'x.json')[0]?.eval.reference_url).toBe('__SHOPPING__/x');
  });

  it('reports the first problem and how many more there are', () => {
    expect(problem(task({ intent: 3, require_reset: 'no' }))).toBe('tasks.json: task 17: intent: expected a string (and 1 more problem)');
  });
});

describe('WebArena sites and placeholders', () => {
  it("maps WebArena's site names to placeholders and environment variables", () => {
    expect(WEBARENA_SITES.map((s) => [s, sitePlaceholder(s), siteEnvVar(s)])).toEqual([
      ['shopping', '__SHOPPING__', 'SHOPPING'],
      ['shopping_admin', '__SHOPPING_ADMIN__', 'SHOPPING_ADMIN'],
      ['reddit', '__REDDIT__', 'REDDIT'],
      ['gitlab', '__GITLAB__', 'GITLAB'],
      ['wikipedia', '__WIKIPEDIA__', 'WIKIPEDIA'],
      ['map', '__MAP__', 'MAP'],
    ]);
  });

  it('parses --sites with clear errors', () => {
    expect(parseSitesFlag('shopping=http://a:7770/,reddit=http://b:9999')).toEqual({ shopping: 'http://a:7770', reddit: 'http://b:9999' });
    const error = (flag: string): string => {
      try {
        parseSitesFlag(flag);
      } catch (e) {
        expect(codeOf(e)).toBe('CONFIG_INVALID');
        return (e as Error).message;
      }
      throw new Error('expected an error');
    };
    expect(parseSitesFlag('wiki=http://w:8080/,shopping=http://a')).toEqual({ wiki: 'http://w:8080', shopping: 'http://a' });
    expect(error('Wiki=http://a')).toMatch(/^--sites: "Wiki" is not a site name \(a site name is lower-case letters/);
    expect(error('shopping')).toBe('--sites: "shopping" is not SITE=URL (e.g. gitlab=http://localhost:8023)');
    expect(error('shopping=')).toBe('--sites: shopping has an empty URL');
    expect(error('shopping=localhost')).toBe('--sites shopping: "localhost" is not a URL (expected e.g. http://localhost:7770)');
    expect(error('shopping=ftp://a')).toBe('--sites shopping: "ftp://a" is not an http(s) URL');
    expect(error('map=http://a,map=http://b')).toBe('--sites: map is given twice');
    expect(error('')).toMatch(/^--sites: empty/);
  });

  it('takes env vars and lets the flag win', () => {
    const env = { SHOPPING: 'http://env-shop:7770', GITLAB: 'http://env-git:8023/', HOME: '/root' };
    expect(resolveSites(undefined, env)).toEqual({ shopping: 'http://env-shop:7770', gitlab: 'http://env-git:8023' });
    expect(resolveSites('gitlab=http://flag-git:1', env)).toEqual({ shopping: 'http://env-shop:7770', gitlab: 'http://flag-git:1' });
    expect(() => resolveSites(undefined, { MAP: 'nope' })).toThrow('environment variable MAP: "nope" is not a URL');
    // Other sites' variables are read for the names a run uses.
    expect(resolveSites(undefined, { WIKI: 'http://w/' }, ['wiki'])).toEqual({ wiki: 'http://w' });
    expect(resolveSites(undefined, { WIKI: 'http://w/' })).toEqual({});
  });

  it('replaces every placeholder, longest names included, and names what is missing', () => {
    const sites = { shopping: 'http://s', shopping_admin: 'http://a', reddit: 'http://r' };
    expect(resolvePlaceholders('__SHOPPING_ADMIN__/x and __SHOPPING__/y; __SHOPPING__', sites)).toBe('http://a/x and http://s/y; http://s');
    // Evaluator template variables are lower-case and left alone.
    expect(resolvePlaceholders("func:reddit_get_post_url('__last_url__')", sites)).toBe("func:reddit_get_post_url('__last_url__')");
    expect(() => resolvePlaceholders('__GITLAB__/a', sites)).toThrow('__GITLAB__ has no URL: pass --sites gitlab=URL or set GITLAB');
    // Any site's placeholder: __FORUM__ is the site "forum".
    expect(resolvePlaceholders('__FORUM__/a', { forum: 'http://f' })).toBe('http://f/a');
    expect(() => resolvePlaceholders('__FORUM__/a', sites)).toThrow('__FORUM__ has no URL: pass --sites forum=URL or set FORUM');
    try {
      resolvePlaceholders('__MAP__', {});
    } catch (e) {
      expect(codeOf(e)).toBe('PLACEHOLDER_UNRESOLVED');
    }
    expect(placeholdersIn('__MAP__/a |AND| __WIKIPEDIA__/b __MAP__')).toEqual(['__MAP__', '__WIKIPEDIA__']);
  });

  it('splits start URLs on |AND| into tabs', () => {
    const t = { start_url: '__SHOPPING__/a.html |AND| __SHOPPING__/b.html |AND| __REDDIT__' };
    expect(startUrls(t, { shopping: 'http://s:7770', reddit: 'http://r:9999' })).toEqual(['http://s:7770/a.html', 'http://s:7770/b.html', 'http://r:9999']);
    expect(startUrls({ start_url: '__MAP__' }, { map: 'http://m:3000' })).toEqual(['http://m:3000']);
  });

  it('resolves storage state paths relative to the auth directory, and names a missing file', (context) => {
    const authDir = '/srv/webarena';
    expect(storageStatePath('./.auth/gitlab_state.json', authDir)).toBe('/srv/webarena/.auth/gitlab_state.json');
    expect(storageStatePath('/abs/state.json', authDir)).toBe('/abs/state.json');
    expect(resolveStorageState(null, authDir)).toBeNull();
    expect(resolveStorageState('./.auth/gitlab.reddit_state.json', authDir, () => true)).toBe('/srv/webarena/.auth/gitlab.reddit_state.json');
    try {
      resolveStorageState('./.auth/shopping_state.json', authDir, () => false);
      expect.unreachable();
    } catch (e) {
      expect(codeOf(e)).toBe('STORAGE_STATE_MISSING');
      expect((e as Error).message).toContain('/srv/webarena/.auth/shopping_state.json');
    }
    // Real file system: a relative auth dir gives an absolute path in the error.
    expect(() => resolveStorageState('./.auth/none.json', 'no-such-dir')).toThrow(join(process.cwd(), 'no-such-dir', '.auth', 'none.json'));
    const file = sharedFile('webarena/test.raw.json');
    if (!file) return context.skip();
    const tasks: WebArenaTask[] = parseWebArenaTasks(JSON.parse(readFileSync(file, 'utf8')), file);
    const all = { shopping: 'http://s', shopping_admin: 'http://sa', reddit: 'http://r', gitlab: 'http://g', wikipedia: 'http://w', map: 'http://m' };
    // Every real start URL resolves once every site has a URL.
    for (const t of tasks) for (const url of startUrls(t, all)) expect(url).toMatch(/^http:\/\/[a-z]+/);
  });
});
