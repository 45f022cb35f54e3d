import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clean } from '../adapters/webarena/evaluators/clean-answer.js';
import { evaluateTask } from '../adapters/webarena/evaluators/evaluate-task.js';
import { fuzzyMatch } from '../adapters/webarena/evaluators/fuzzy-match.js';
import { equivalencePrompt, parseVerdict, sameDifferentPrompt, type Judge } from '../adapters/webarena/evaluators/judge.js';
import { createOpenAIJudge } from '../adapters/webarena/evaluators/openai-judge.js';
import { checkProgramHtmlTarget, programHtmlText } from '../adapters/webarena/evaluators/program-html-check.js';
import { fromPlaywrightValue } from '../adapters/webarena/evaluators/playwright-python-value.js';
import { exactMatch, mustInclude, stringMatch } from '../adapters/webarena/evaluators/string-match.js';
import { urlMatch } from '../adapters/webarena/evaluators/url-match.js';
import { answerTokens, nltkWordTokens } from '../adapters/webarena/evaluators/word-tokens.js';
import { parseWebArenaTasks, type ProgramHtmlTarget, type WebArenaTask } from '../adapters/webarena/webarena-task-config.js';
import { startScriptedLlmServer, type ScriptedLlmServer } from '../fixtures/llm/scripted-llm-server.js';
import { codeOf } from '../src/env/code-of.js';
import { pyStr } from '../src/python/python-repr.js';

/** WebArena's `str(page.evaluate(...))`. */
const pythonStr = (value: unknown): string => pyStr(fromPlaywrightValue(value));

/** A judge that answers from a function and records the prompts it was given. */
const stubJudge = (answer: (prompt: string) => string): Judge & { prompts: string[] } => {
  const prompts: string[] = [];
  return { name: 'stub', prompts, ask: async (prompt) => (prompts.push(prompt), answer(prompt)) };
};

/** A one-task config through the real validator (so tests use the parsed shape). */
const makeTask = (id: number, evalPart: Record<string, unknown>): WebArenaTask => {
  const base = { sites: ['gitlab'], require_login: true, storage_state: null, start_url: '__GITLAB__', geolocation: null, intent_template: 'x' };
  const rest = { instantiation_dict: {}, intent: 'How many open issues are there?', require_reset: false, intent_template_id: 1 };
  const [task] = parseWebArenaTasks({ ...base, ...rest, task_id: id, eval: { reference_url: '', program_html: [], ...evalPart } }, 'inline.json');
  if (!task) throw new Error('no task');
  return task;
};

describe('clean', () => {
  it('trims, strips one pair of quotes, lower-cases', () => {
    expect(clean('  "Quest Lumaflex Band"  ')).toBe('quest lumaflex band');
    expect(clean("'N/A'")).toBe('n/a');
    expect(clean(`"'nested'"`)).toBe("'nested'");
    expect(clean('"unbalanced')).toBe('"unbalanced');
    expect(clean("'")).toBe('');
    expect(clean('\u00a0Mixed Case\n')).toBe('mixed case');
  });
});

describe('string_match', () => {
  it('exact_match compares cleaned strings', () => {
    expect(exactMatch('Quest Lumaflex™ Band', '"quest lumaflex™ band"').score).toBe(1);
    expect(exactMatch('$12.00', '12.00')).toMatchObject({ score: 0, reason: '"12.00" is not "$12.00"' });
  });

  it('must_include: every entry a substring of the cleaned answer', () => {
    expect(mustInclude(['Sprite', 'Stasis Ball'], 'I bought a SPRITE stasis ball').score).toBe(1);
    const missing = mustInclude(['Sprite', 'Quest'], 'sprite only');
    expect(missing).toMatchObject({ score: 0, details: { missing: ['Quest'], tokenized: false } });
    expect(missing.reason).toBe('the answer does not include "quest"');
    // Several entries: no tokenising, so "0" is found inside "10" (as WebArena does).
    expect(mustInclude(['0', 'items'], '10 items').score).toBe(1);
  });

  it('a single one-character entry must be a whole token: "0" does not match "10"', () => {
    for (const strictWebArena of [false, true]) {
      expect(mustInclude(['0'], 'There are 10 of them', { strictWebArena }).score).toBe(0);
      expect(mustInclude(['0'], 'There are 0 of them', { strictWebArena }).score).toBe(1);
      expect(mustInclude(['0'], '0', { strictWebArena }).score).toBe(1);
      expect(mustInclude(['2'], 'the answer is 2.', { strictWebArena }).score).toBe(1);
      expect(mustInclude(['a'], 'grade: A', { strictWebArena }).score).toBe(1);
      expect(mustInclude(['a'], 'grade b', { strictWebArena }).score).toBe(0);
    }
    expect(mustInclude(['0'], 'There are 10 of them').reason).toBe('the answer does not include "0" as a whole word');
  });

  it('"$0.00" vs must_include "0": matched by our rule (fix of #211), not by strict WebArena', () => {
    expect(mustInclude(['0'], '$0.00')).toMatchObject({ score: 1, details: { mode: 'fixed-211', tokenized: true } });
    expect(mustInclude(['0'], 'The total is $0.00.').score).toBe(1);
    expect(mustInclude(['0'], '$0.00', { strictWebArena: true })).toMatchObject({ score: 0, details: { mode: 'webarena' } });
    // Numeric equality only: 0.50 and 10.00 are not 0.
    expect(mustInclude(['0'], '$0.50').score).toBe(0);
    expect(mustInclude(['0'], '$10.00').score).toBe(0);
    expect(mustInclude(['1'], '1,000 orders').score).toBe(0);
  });

  it('tokenises like WebArena (NLTK) in strict mode and by alphanumeric runs otherwise', () => {
    expect(nltkWordTokens('the total is $0.00.')).toEqual(['the', 'total', 'is', '$', '0.00', '.']);
    expect(nltkWordTokens("it's (maybe) 1,000, ok?")).toEqual(['it', "'s", '(', 'maybe', ')', '1,000', ',', 'ok', '?']);
    expect(answerTokens('the total is $1,000.50.')).toEqual(['the', 'total', 'is', '$', '1,000.50', '.']);
  });

  it('combines every kind of reference answer and never throws for bad data', async () => {
    const both = await stringMatch({ must_include: ['1h'], fuzzy_match: ['1h 23min'] }, ' 1H  23min', { intent: 'q' });
    expect(both.score).toBe(1);
    expect((both.details['checks'] as { name: string }[]).map((c) => c.name)).toEqual(['must_include', 'fuzzy_match']);
    const none = await stringMatch(null, 'x', { intent: 'q' });
    expect(none).toMatchObject({ score: 0, reason: 'the task has no reference answers' });
    const failed = await stringMatch({ exact_match: 'a', must_include: ['b'] }, 'b', { intent: 'q' });
    expect(failed).toMatchObject({ score: 0, reason: 'exact_match: "b" is not "a"' });
  });

  it('strict mode cleans the answer twice, as WebArena does', async () => {
    expect((await stringMatch({ exact_match: 'x' }, `"'x'"`, { intent: 'q' })).score).toBe(0);
    expect((await stringMatch({ exact_match: 'x' }, `"'x'"`, { intent: 'q', strictWebArena: true })).score).toBe(1);
  });
});

describe('fuzzy_match', () => {
  it('without a judge falls back to a normalised exact comparison and says so', async () => {
    const ok = await fuzzyMatch(['There is no airport within 5 km'], clean(' there is  NO airport within 5 km '), { intent: 'q' });
    expect(ok).toMatchObject({ score: 1, details: { judge: 'none' } });
    expect(ok.reason).toMatch(/^no judge: exact comparison/);
    const ko = await fuzzyMatch(['3h 30min'], clean('about 3.5 hours'), { intent: 'q' });
    expect(ko).toMatchObject({ score: 0, details: { judge: 'none' } });
    expect(ko.reason).toContain('no judge');
  });

  it('asks the judge for each reference; every one must be judged correct', async () => {
    const judge = stubJudge((p) => (p.includes('Reference answer: 3h 30min') ? 'Same duration.\nVerdict: correct' : 'Verdict: incorrect'));
    const result = await fuzzyMatch(['3h 30min', 'Hyatt'], 'three and a half hours', { intent: 'How long?', judge });
    expect(result).toMatchObject({ score: 0, details: { judge: 'stub' } });
    expect(judge.prompts).toHaveLength(2);
    expect(judge.prompts[0]).toContain('Question: How long?');
    expect(judge.prompts[0]).toContain('Student answer: three and a half hours');
    expect(result.reason).toBe('"Hyatt" judged incorrect');
  });

  it('an empty answer only matches an empty reference, without asking the judge', async () => {
    const judge = stubJudge(() => 'correct');
    expect((await fuzzyMatch(['x'], '', { intent: 'q', judge })).score).toBe(0);
    expect((await fuzzyMatch([''], '', { intent: 'q', judge })).score).toBe(1);
    expect(judge.prompts).toHaveLength(0);
  });

  it('N/A: "n/a" scores 1 without a judge; a reason is judged against string_note', async () => {
    const judge = stubJudge((p) => (p.includes('Report: there is no review about that') ? 'They match. Verdict: same' : 'Verdict: different'));
    const ctx = { intent: 'Find the review about price', stringNote: 'There is no review about price', judge };
    for (const answer of ['N/A', 'n/a', ' "N/A" ']) expect((await fuzzyMatch('N/A', clean(answer), ctx)).score).toBe(1);
    expect(judge.prompts).toHaveLength(0);
    const same = await fuzzyMatch('N/A', 'there is no review about that', ctx);
    expect(same).toMatchObject({ score: 1, details: { unachievable: true, judge: 'stub' } });
    expect(judge.prompts[0]).toContain('Known reason: There is no review about price');
    const different = await fuzzyMatch('N/A', 'the price is $20', ctx);
    expect(different.score).toBe(0);
    // No judge: the reason must equal string_note after normalisation.
    expect((await fuzzyMatch('N/A', clean('there is no review about  price'), { intent: ctx.intent, stringNote: ctx.stringNote })).score).toBe(1);
    expect((await fuzzyMatch('N/A', 'no idea', { intent: 'q', stringNote: 'x' })).details).toMatchObject({ judge: 'none' });
  });

  it('an unparseable verdict scores 0 with the reason, never crashes', async () => {
    const judge = stubJudge(() => 'I cannot decide.');
    const result = await fuzzyMatch(['x'], 'y', { intent: 'q', judge });
    expect(result.score).toBe(0);
    expect(result.reason).toMatch(/^the judge's reply has no verdict \(expected "correct", "incorrect" or "partially correct"\): "I cannot decide\."/);
    expect((result.details['checks'] as { unparseable?: boolean }[])[0]?.unparseable).toBe(true);
  });
});

describe('parseVerdict', () => {
  it('reads equivalence verdicts as WebArena does, case-insensitively', () => {
    expect(parseVerdict('CORRECT', 'equivalence')).toEqual({ score: 1, verdict: 'correct' });
    expect(parseVerdict('The answer is Incorrect.', 'equivalence').score).toBe(0);
    expect(parseVerdict('partially correct', 'equivalence')).toEqual({ score: 0, verdict: 'partially correct' });
    expect(parseVerdict('This is not correct', 'equivalence').score).toBe(0);
    // WebArena's precedence: a 0-word anywhere wins over "correct".
    expect(parseVerdict('correct... actually incorrect', 'equivalence').score).toBe(0);
  });

  it('lets a final "Verdict:" line decide over options echoed in the reasoning (#272)', () => {
    expect(parseVerdict('Options are correct/incorrect/partially correct.\nVerdict: correct', 'equivalence')).toEqual({ score: 1, verdict: 'correct' });
    expect(parseVerdict('**Verdict:** Partially correct', 'equivalence').score).toBe(0);
    expect(parseVerdict('Verdict: incorrect\n...on reflection, Verdict: correct', 'equivalence').score).toBe(1);
  });

  it('reads same/different verdicts', () => {
    expect(parseVerdict('[same]', 'same-different')).toEqual({ score: 1, verdict: 'same' });
    expect(parseVerdict('Different', 'same-different').score).toBe(0);
    expect(parseVerdict('not the same reason', 'same-different').score).toBe(0);
    expect(parseVerdict('the same, not different? Verdict: same', 'same-different').score).toBe(1);
  });

  it('scores an unparseable verdict 0 with the reason', () => {
    expect(parseVerdict('', 'equivalence')).toMatchObject({ score: 0, unparseable: true });
    const v = parseVerdict('Maybe?', 'same-different');
    expect(v).toMatchObject({ score: 0, unparseable: true });
    expect(v.reason).toBe('the judge\'s reply has no verdict (expected "same" or "different"): "Maybe?"');
  });

  it('has prompts that carry the question, reference and answer', () => {
    const p = equivalencePrompt({ question: 'Q?', reference: 'R', answer: 'A' });
    expect(p).toMatch(/Question: Q\?\nReference answer: R\nStudent answer: A/);
    expect(p).toContain('"N/A"');
    expect(sameDifferentPrompt({ task: 'T', reason: 'R', report: 'P' })).toMatch(/Task: T\nKnown reason: R\nReport: P/);
  });
});

describe('the OpenAI judge against the scripted LLM server (real HTTP)', () => {
  let server: ScriptedLlmServer;
  beforeAll(async () => {
    server = await startScriptedLlmServer({
      rules: [
        { match: /Student answer: 3\.5 hours/, reply: 'Both say three and a half hours.\nVerdict: correct' },
        { match: /Student answer: 2 hours/, reply: 'Verdict: incorrect' },
        // The judge sees the cleaned (lower-cased) answer, as in WebArena.
        { match: /Report: .*the store has no such review/, reply: 'Verdict: same' },
        { match: /Report: /, reply: 'Verdict: different' },
        { match: /Student answer: error please/, reply: '', status: 400 },
      ],
      defaultReply: 'no idea',
      models: ['judge-model'],
    });
  });
  afterAll(async () => server.close());

  const task = () =>
    makeTask(34, { eval_types: ['string_match'], reference_answers: { fuzzy_match: ['Time: 3h 30min'] } });

  it('scores fuzzy_match through the openai client at temperature 0', async () => {
    const judge = createOpenAIJudge({ model: 'judge-model', baseURL: server.url, apiKey: 'sk-test', env: {} });
    expect(judge.name).toBe('openai:judge-model');
    const before = server.requests.length;
    const ok = await evaluateTask(task(), { answer: '3.5 hours', judge });
    expect(ok.score).toBe(1);
    const ko = await evaluateTask(task(), { answer: '2 hours', judge });
    expect(ko.score).toBe(0);
    const unparseable = await evaluateTask(task(), { answer: 'something else', judge });
    expect(unparseable.score).toBe(0);
    expect(JSON.stringify(unparseable.evaluators)).toContain('no verdict');
    const sent = server.requests.slice(before);
    expect(sent).toHaveLength(3);
    expect(sent[0]?.body).toMatchObject({ model: 'judge-model', temperature: 0 });
    expect(sent[0]?.lastUserMessage).toContain('Reference answer: Time: 3h 30min');
    expect(sent[0]?.headers['authorization']).toBe('Bearer sk-test');
    expect(sent.map((r) => r.rule)).toEqual([0, 1, -1]);
    expect(JSON.stringify(ok.evaluators)).toContain('"judge":"openai:judge-model"');
  });

  it('judges an N/A reason as same or different', async () => {
    const judge = createOpenAIJudge({ model: 'judge-model', env: { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'k' } });
    const na = makeTask(22, { eval_types: ['string_match'], reference_answers: { fuzzy_match: 'N/A' }, string_note: 'There is no review about price' });
    expect((await evaluateTask(na, { answer: 'N/A: the store has no such review', judge })).score).toBe(1);
    expect((await evaluateTask(na, { answer: 'It costs $3', judge })).score).toBe(0);
  });

  it('turns HTTP errors and timeouts into JUDGE_FAILED', async () => {
    const judge = createOpenAIJudge({ model: 'judge-model', baseURL: server.url, apiKey: 'k', maxRetries: 0, env: {} });
    const error = await judge.ask('Student answer: error please').catch((e: unknown) => e);
    expect(codeOf(error)).toBe('JUDGE_FAILED');
    expect((error as Error).message).toMatch(/^judge openai:judge-model: HTTP 400/);
    const slow = await startScriptedLlmServer({ defaultReply: 'Verdict: correct', delayMs: 2_000 });
    try {
      const slowJudge = createOpenAIJudge({ model: 'm', baseURL: slow.url, apiKey: 'k', maxRetries: 0, timeoutMs: 200, env: {} });
      const timeout = await slowJudge.ask('hi').catch((e: unknown) => e);
      expect(codeOf(timeout)).toBe('JUDGE_FAILED');
      expect((timeout as Error).message).toBe('judge openai:m: no reply within 200 ms');
    } finally {
      await slow.close();
    }
    expect(() => createOpenAIJudge({ model: 'm', env: {} })).toThrow(/needs an endpoint/);
  });

  it('serves the OpenAI shapes: models, usage, errors', async () => {
    const client = new OpenAI({ baseURL: server.url, apiKey: 'k', maxRetries: 0 });
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['judge-model']);
    const completion = await client.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'hello there' }] });
    expect(completion.choices[0]?.message.content).toBe('no idea');
    expect(completion.usage).toEqual({ prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 });
    const bad = await fetch(`${server.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"messages": [' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toHaveProperty('error.message');
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
  });
});

describe('url_match', () => {
  it("uses WebArena's substring rule on host + path, or equality in strict mode", () => {
    const ref = 'http://gitlab:8023/byteblaze/a11y';
    expect(urlMatch(ref, 'http://gitlab:8023/byteblaze/a11y').score).toBe(1);
    // The known false positive (#77): a longer path contains the reference.
    expect(urlMatch(ref, 'http://gitlab:8023/byteblaze/a11y-syntax/-/issues').score).toBe(1);
    expect(urlMatch(ref, 'http://gitlab:8023/byteblaze/a11y-syntax/-/issues', { strict: true })).toMatchObject({ score: 0, details: { mode: 'strict' } });
    expect(urlMatch(ref, 'https://gitlab:8023/byteblaze/a11y', { strict: true }).score).toBe(1);
    expect(urlMatch(ref, 'http://gitlab:8023/byteblaze').score).toBe(0);
  });

  it('strips trailing slashes from both sides', () => {
    expect(urlMatch('http://r:9999/f/books/', 'http://r:9999/f/books').score).toBe(1);
    expect(urlMatch('http://r:9999/f/books', 'http://r:9999/f/books///', { strict: true }).score).toBe(1);
    expect(urlMatch('http://r:9999/f/books?sort=new', 'http://r:9999/f/books/?sort=new').score).toBe(1);
  });

  it('requires every reference query key to have one of its values; blank values dropped', () => {
    const ref = 'http://g/a/-/issues/?sort=created_asc&state=opened';
    expect(urlMatch(ref, 'http://g/a/-/issues/?state=opened&sort=created_asc&page=2').score).toBe(1);
    const missing = urlMatch(ref, 'http://g/a/-/issues/?state=closed&sort=created_asc');
    expect(missing).toMatchObject({ score: 0, details: { base_score: 1, query_score: 0, missing_query: { state: ['opened'] } } });
    expect(missing.reason).toBe('query lacks state=opened');
    // Percent-encoding and "+" decode as parse_qs does; a blank reference value asks nothing.
    expect(urlMatch('http://g/i?label_name%5B%5D=help%20wanted', 'http://g/i?label_name[]=help+wanted').score).toBe(1);
    expect(urlMatch('http://g/i?q=&x', 'http://g/i').score).toBe(1);
    // Repeated keys: any of the prediction's values may match.
    expect(urlMatch('http://g/i?t=b', 'http://g/i?t=a&t=b').score).toBe(1);
  });

  it('accepts any |OR| alternative (query keys merged over alternatives, as WebArena)', () => {
    const ref = 'http://r/f/deeplearning |OR| http://r/f/MachineLearning |OR| http://r/f/singularity';
    expect(urlMatch(ref, 'http://r/f/MachineLearning').score).toBe(1);
    expect(urlMatch(ref, 'http://r/f/technology').score).toBe(0);
    expect(urlMatch('http://m/search?q=a |OR| http://m/find?q=b', 'http://m/find?q=b').score).toBe(1);
  });

  it('never throws on odd URLs', () => {
    expect(urlMatch('http://a/b', 'not a url').score).toBe(0);
    expect(urlMatch('http://a/b', 'http://a/b;params?x=%E0%A4%A').score).toBe(1);
  });
});

describe('program_html', () => {
  it("prints JS values as Python's str() does", () => {
    const cases: [unknown, string][] = [
      [null, 'None'], [undefined, 'None'], [true, 'True'], [false, 'False'], [20, '20'], [20.0, '20'], [1e20, '100000000000000000000'],
      [2.5, '2.5'], [1e-5, '1e-05'], [1e21, '1e+21'], [-0, '-0.0'], [Number.NaN, 'nan'], ['plain', 'plain'],
    ];
    for (const [value, text] of cases) expect(pythonStr(value)).toBe(text);
    expect(pythonStr(['a', 1, null, true, "it's", 'say "hi"'])).toBe(`['a', 1, None, True, "it's", 'say "hi"']`);
    expect(pythonStr({ name: 'x', tags: [], n: { ok: false } })).toBe("{'name': 'x', 'tags': [], 'n': {'ok': False}}");
    expect(pythonStr(['tab\there', 'a\\b'])).toBe("['tab\\there', 'a\\\\b']");
  });

  it('HTML-unescapes the text as html.unescape does', () => {
    expect(programHtmlText('Tom &amp; Jerry &lt;3 &#39;x&#x27; &quot;q&quot; &copy2023 &unknown; &#x80;')).toBe(
      `Tom & Jerry <3 'x' "q" ©2023 &unknown; €`,
    );
    expect(programHtmlText(['&amp;'])).toBe("['&']");
  });

  it('checks exact_match and must_include with |OR| alternatives', () => {
    const exact: ProgramHtmlTarget = { url: 'last', locator: "document.querySelector('[name=\"discount_amount\"]').value", required_contents: { exact_match: '20' } };
    expect(checkProgramHtmlTarget(exact, 20).score).toBe(1);
    expect(checkProgramHtmlTarget(exact, '20.5')).toMatchObject({ score: 0, reason: '"20.5" is not "20"' });
    const none: ProgramHtmlTarget = { url: 'last', locator: 'document.querySelector(".x")', required_contents: { exact_match: 'None' } };
    expect(checkProgramHtmlTarget(none, null).score).toBe(1);
    const include: ProgramHtmlTarget = { url: 'http://r/f/books', locator: '', required_contents: { must_include: ['Harry Potter |OR| HP', 'Rowling'] } };
    expect(checkProgramHtmlTarget(include, '<html><h1>HP &amp; friends</h1> by J.K. ROWLING</html>').score).toBe(1);
    const miss = checkProgramHtmlTarget(include, '<html>Harry Potter</html>');
    expect(miss).toMatchObject({ score: 0, details: { missing: ['Rowling'] } });
    expect(miss.reason).toBe('the page does not include "Rowling"');
    // Not tokenised: a one-character entry is a plain substring here.
    const digit: ProgramHtmlTarget = { url: 'last', locator: 'document.body.innerText', required_contents: { must_include: ['0'] } };
    expect(checkProgramHtmlTarget(digit, 'qty 10').score).toBe(1);
  });

  it('records a preview of the value, not a whole page', () => {
    const big = `<html>${'x'.repeat(10_000)}</html>`;
    const result = checkProgramHtmlTarget({ url: 'last', locator: '', required_contents: { must_include: ['y'] } }, big);
    expect((result.details['value'] as string).length).toBeLessThan(400);
    expect(result.details['value_length']).toBe(big.length);
  });
});

describe('evaluateTask', () => {
  const sites = { gitlab: 'http://gitlab.test:8023', reddit: 'http://reddit.test:9999' };

  it('multiplies the evaluators of the task', async () => {
    const task = makeTask(1, {
      eval_types: ['string_match', 'url_match'],
      reference_answers: { must_include: ['7'] },
      reference_url: '__GITLAB__/a11yproject/-/issues/?state=opened',
    });
    const both = await evaluateTask(task, { answer: 'There are 7 open issues', url: 'http://gitlab.test:8023/a11yproject/-/issues/?state=opened', sites });
    expect(both).toMatchObject({ task_id: 1, score: 1 });
    expect(both.evaluators.map((e) => [e.name, e.score])).toEqual([['string_match', 1], ['url_match', 1]]);
    // WebArena strips "/" only from the end of the whole URL: the reference base keeps "issues/".
    const noSlash = await evaluateTask(task, { answer: '7', url: 'http://gitlab.test:8023/a11yproject/-/issues?state=opened', sites });
    expect(noSlash.evaluators[1]).toMatchObject({ score: 0, details: { reference_bases: ['gitlab.test:8023/a11yproject/-/issues/'], base_score: 0 } });
    const wrongUrl = await evaluateTask(task, { answer: '7', url: 'http://gitlab.test:8023/other', sites });
    expect(wrongUrl.score).toBe(0);
    const noUrl = await evaluateTask(task, { answer: '7', sites });
    expect(noUrl.evaluators[1]).toMatchObject({ score: 0, reason: 'no final URL was given' });
    // A placeholder without a URL leaves url_match unscored and says what it needs...
    const noSite = await evaluateTask(task, { answer: '7', url: 'http://x' });
    expect(noSite).toMatchObject({ score: null, needs_placeholders: ['__GITLAB__'] });
    expect(noSite.evaluators[1]).toMatchObject({ unscored: 'needs_placeholder', reason: '__GITLAB__ has no URL: pass --sites gitlab=URL or set GITLAB' });
    // ...unless another evaluator already scored 0: the product is 0 whatever url_match gives.
    expect(await evaluateTask(task, { answer: '8', url: 'http://x' })).toMatchObject({ score: 0, needs_placeholders: ['__GITLAB__'] });
  });

  it('marks program_html tasks needs_live_site without values, and scores them with values', async () => {
    const task = makeTask(2, {
      eval_types: ['url_match', 'program_html'],
      reference_url: '__REDDIT__/f/books',
      program_html: [
        { url: 'last', locator: 'document.querySelector(".title").outerText', required_contents: { exact_match: 'My Post' } },
        { url: '__REDDIT__/f/books', locator: '', required_contents: { must_include: ['__REDDIT__/f/books/1 |OR| /f/books/2'] } },
      ],
    });
    const pending = await evaluateTask(task, { answer: '', url: 'http://reddit.test:9999/f/books', sites });
    expect(pending).toMatchObject({ score: null, needs_live_site: true });
    expect(pending.evaluators.map((e) => e.name)).toEqual(['url_match']);
    // url_match already 0: the product is 0 whatever the page holds, so no live site is needed.
    const wrong = await evaluateTask(task, { answer: '', url: 'http://reddit.test:9999/f/movies', sites });
    expect(wrong).toMatchObject({ score: 0, evaluators: [{ name: 'url_match', score: 0 }] });
    expect(wrong.needs_live_site).toBeUndefined();
    const live = await evaluateTask(task, {
      answer: '',
      url: 'http://reddit.test:9999/f/books',
      sites,
      programHtmlValues: ['my post', '<a href="http://reddit.test:9999/f/books/1">x</a>'],
    });
    expect(live).toMatchObject({ score: 1 });
    expect(live.needs_live_site).toBeUndefined();
    const checks = (live.evaluators[1]?.details['checks'] as { details: { must_include?: string[] } }[])[1];
    expect(checks?.details.must_include).toEqual(['http://reddit.test:9999/f/books/1 |OR| /f/books/2']);
    const short = await evaluateTask(task, { answer: '', url: 'http://reddit.test:9999/f/books', sites, programHtmlValues: ['my post'] });
    expect(short.evaluators[1]).toMatchObject({ score: 0, reason: 'got 1 values for 2 targets' });
  });
});
