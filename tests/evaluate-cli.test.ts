import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startScriptedLlmServer, type ScriptedLlmServer } from '../fixtures/llm/scripted-llm-server.js';
import { runCli } from './helpers/cli.js';
import { sharedFile } from './helpers/shared-data.js';

const task = (id: number, sites: string[], evalPart: Record<string, unknown>, intent = 'What is it?'): Record<string, unknown> => ({
  sites,
  task_id: id,
  require_login: true,
  storage_state: `./.auth/${sites[0]}_state.json`,
  start_url: `__${sites[0]?.toUpperCase()}__`,
  geolocation: null,
  intent_template: intent,
  instantiation_dict: {},
  intent,
  require_reset: false,
  intent_template_id: id,
  eval: { reference_url: '', program_html: [], ...evalPart },
});

/** A small config covering each evaluator, and answers for all tasks but one (task 7). */
const configs = [
  task(1, ['shopping'], { eval_types: ['string_match'], reference_answers: { exact_match: 'Quest Lumaflex™ Band' } }),
  task(2, ['shopping_admin'], { eval_types: ['string_match'], reference_answers: { must_include: ['0'] } }),
  task(3, ['map'], { eval_types: ['string_match'], reference_answers: { fuzzy_match: ['3h 30min'] } }, 'How long does it take?'),
  task(4, ['reddit'], { eval_types: ['string_match'], reference_answers: { fuzzy_match: 'N/A' }, string_note: 'There is no such forum' }),
  task(5, ['gitlab'], { eval_types: ['url_match'], reference_url: '__GITLAB__/byteblaze/a11y' }),
  task(6, ['reddit'], {
    eval_types: ['url_match', 'program_html'],
    reference_url: '__REDDIT__/f/books',
    program_html: [{ url: 'last', locator: 'document.querySelector(".title").outerText', required_contents: { exact_match: 'My Post' } }],
  }),
  task(7, ['shopping'], { eval_types: ['string_match'], reference_answers: { must_include: ['x'] } }),
];

const answers = [
  { task_id: 1, answer: '"Quest Lumaflex™ Band"', url: 'http://shop.test:7770/' },
  { task_id: 2, answer: 'The total is $0.00' },
  { task_id: 3, answer: '3h  30min' },
  { task_id: 4, answer: 'N/A' },
  { task_id: 5, answer: '', url: 'http://git.test:8023/byteblaze/a11y-syntax-highlighting' },
  { task_id: 6, answer: '', url: 'http://reddit.test:9999/f/books' },
  { task_id: 99, answer: 'not in the configs' },
];

const SITES = 'gitlab=http://git.test:8023,reddit=http://reddit.test:9999';

interface ResultLine {
  task_id: number;
  score: number | null;
  needs_live_site?: boolean;
  evaluators: { name: string; score: number; details: Record<string, unknown>; reason?: string }[];
}

const lines = (text: string): ResultLine[] =>
  text
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as ResultLine);

describe('dreambridge evaluate', () => {
  let dir: string;
  let configFile: string;
  let answerFile: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dreambridge-evaluate-'));
    configFile = join(dir, 'tasks.json');
    answerFile = join(dir, 'answers.jsonl');
    writeFileSync(configFile, JSON.stringify(configs, null, 1));
    writeFileSync(answerFile, `${answers.map((a) => JSON.stringify(a)).join('\n')}\n\n`);
  });

  it('has --help', async () => {
    const help = await runCli(['evaluate', '--help']);
    expect(help.code).toBe(0);
    for (const flag of ['--configs', '--answers', '--sites', '--judge', '--judge-base-url', '--strict-url', '--out']) expect(help.stdout).toContain(flag);
    expect((await runCli(['tasks', 'validate', '--help'])).code).toBe(0);
  });

  it('scores string_match and url_match, reports needs_live_site, and summarises on stderr', async () => {
    const out = join(dir, 'results.jsonl');
    const result = await runCli(['evaluate', '--configs', configFile, '--answers', answerFile, '--sites', SITES, '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    const results = lines(readFileSync(out, 'utf8'));
    expect(results.map((r) => [r.task_id, r.score])).toEqual([[1, 1], [2, 1], [3, 1], [4, 1], [5, 1], [6, null]]);
    expect(results[5]).toMatchObject({ needs_live_site: true, evaluators: [{ name: 'url_match', score: 1 }] });
    expect(JSON.stringify(results[2]?.evaluators)).toContain('"judge":"none"');
    const stderr = result.stderr.trim().split('\n');
    expect(stderr.filter((l) => l.startsWith('fuzzy_match: no --judge given'))).toHaveLength(1);
    expect(stderr).toContain(`ignoring 1 answer for tasks not in ${configFile}`);
    expect(stderr.at(-1)).toBe('scored 5, mean 1.000, needs_live_site 1, needs_placeholder 0, unsupported 0, missing answers 1');
  });

  it('writes to stdout by default; --strict-webarena and --strict-url change the scores', async () => {
    const result = await runCli(['evaluate', '--configs', configFile, '--answers', answerFile, '--sites', SITES, '--strict-webarena', '--strict-url']);
    expect(result.code, result.stderr).toBe(0);
    const scores = Object.fromEntries(lines(result.stdout).map((r) => [r.task_id, r.score]));
    // "$0.00" fails must_include "0" under WebArena's own rule (#211); a longer path fails strict url.
    expect(scores).toEqual({ 1: 1, 2: 0, 3: 1, 4: 1, 5: 0, 6: null });
    expect(result.stderr.trim().split('\n').at(-1)).toBe('scored 5, mean 0.600, needs_live_site 1, needs_placeholder 0, unsupported 0, missing answers 1');
  });

  it('uses an LLM judge over HTTP with --judge openai:NAME --judge-base-url', async () => {
    let llm: ScriptedLlmServer | undefined;
    try {
      llm = await startScriptedLlmServer({ rules: [{ match: /Student answer: 3h\s+30min/, reply: 'Verdict: incorrect' }], defaultReply: 'Verdict: correct' });
      const result = await runCli([
        'evaluate', '--configs', configFile, '--answers', answerFile, '--sites', SITES, '--judge', 'openai:grader', '--judge-base-url', llm.url,
      ]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).not.toContain('no --judge given');
      const task3 = lines(result.stdout).find((r) => r.task_id === 3);
      expect(task3?.score).toBe(0);
      expect(JSON.stringify(task3?.evaluators)).toContain('"judge":"openai:grader"');
      expect(llm.requests.filter((r) => r.path === '/v1/chat/completions')).toHaveLength(1);
      expect(llm.requests[0]?.body).toMatchObject({ model: 'grader', temperature: 0 });
    } finally {
      await llm?.close();
    }
  });

  it('fails with the line number of a bad answers line', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"task_id": 1, "answer": "x"}\n\n{"task_id": 2, "answer": \n');
    const result = await runCli(['evaluate', '--configs', configFile, '--answers', bad]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^error ANSWERS_INVALID: ${bad}:3: not valid JSON`));
    writeFileSync(bad, '{"task_id": "one", "answer": "x"}\n');
    expect((await runCli(['evaluate', '--configs', configFile, '--answers', bad])).stderr.trim()).toBe(
      `error ANSWERS_INVALID: ${bad}:1: task_id: expected a task id (a non-negative integer)`,
    );
    writeFileSync(bad, '{"task_id": 1, "answer": 5}\n');
    expect((await runCli(['evaluate', '--configs', configFile, '--answers', bad])).stderr.trim()).toBe(`error ANSWERS_INVALID: ${bad}:1: answer: expected a string`);
    writeFileSync(bad, '{"task_id": 1}\n{"task_id": 1}\n');
    expect((await runCli(['evaluate', '--configs', configFile, '--answers', bad])).stderr.trim()).toBe(
      `error ANSWERS_INVALID: ${bad}:2: a second answer for task 1 (the first is at line 1)`,
    );
  });

  it('names a placeholder without a URL, and a bad --judge', async () => {
    // The task whose reference needs __GITLAB__ waits for it; every other task is still scored.
    const noSites = await runCli(['evaluate', '--configs', configFile, '--answers', answerFile, '--sites', 'reddit=http://reddit.test:9999'], {});
    expect(noSites.code, noSites.stderr).toBe(0);
    const results = lines(noSites.stdout);
    expect(results.map((r) => [r.task_id, r.score])).toEqual([[1, 1], [2, 1], [3, 1], [4, 1], [5, null], [6, null]]);
    expect(results[4]).toMatchObject({ needs_placeholders: ['__GITLAB__'], evaluators: [{ name: 'url_match', unscored: 'needs_placeholder', reason: '__GITLAB__ has no URL: pass --sites gitlab=URL or set GITLAB' }] });
    expect(noSites.stderr.trim().split('\n').at(-1)).toBe('scored 4, mean 1.000, needs_live_site 1, needs_placeholder 1 (__GITLAB__ 1), unsupported 0, missing answers 1');
    const badJudge = await runCli(['evaluate', '--configs', configFile, '--answers', answerFile, '--sites', SITES, '--judge', 'gpt-4']);
    expect(badJudge.stderr.trim()).toBe('error CONFIG_INVALID: --judge gpt-4: expected openai:NAME (e.g. openai:gpt-4o)');
  });
});

describe('dreambridge tasks validate', () => {
  it('validates the real 812 configs and prints the counts', async (context) => {
    const file = sharedFile('webarena/test.raw.json');
    if (!file) return context.skip();
    const result = await runCli(['tasks', 'validate', file]);
    expect(result.code, result.stderr).toBe(0);
    const out = result.stdout.trim().split('\n');
    expect(out[0]).toBe('812 tasks valid');
    expect(out).toContain('sites: shopping 187, shopping_admin 182, gitlab 180, map 109, reddit 106, multi-site 48');
    expect(out).toContain('eval types: string_match 325, program_html 282, url_match+program_html 129, url_match 66, string_match+url_match 10');
    expect(out).toContain('reference answers: must_include 176, fuzzy_match 118, exact_match 45; fuzzy_match "N/A" (unachievable) 36; none 477');
    expect(out.some((l) => l.startsWith('sites, multi-site tasks counted in each of their sites: gitlab 204'))).toBe(true);
  });

  it('rejects a broken config with the file, task id, field and problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dreambridge-tasks-'));
    const broken = join(dir, 'tasks.json');
    const bad = structuredClone(configs);
    (bad[1] as { eval: Record<string, unknown> }).eval['reference_answers'] = { must_include: 'zero' };
    writeFileSync(broken, JSON.stringify(bad));
    const result = await runCli(['tasks', 'validate', broken]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(`error CONFIG_INVALID: ${broken}: task 2: eval.reference_answers.must_include: expected an array of strings`);
    writeFileSync(broken, '[{"task_id": 1,');
    expect((await runCli(['tasks', 'validate', broken])).stderr).toMatch(new RegExp(`^error CONFIG_INVALID: ${broken}: not valid JSON`));
    const ok = join(dir, 'ok.json');
    writeFileSync(ok, JSON.stringify(configs[0]));
    expect((await runCli(['tasks', 'validate', ok])).stdout).toMatch(/^1 task valid\nsites: shopping 1\n/);
  });
});
