import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWebShopProfile } from '../adapters/webshop/webshop-profile.js';
import type { ExperienceModel, ExperiencePrediction, ExperienceRequest } from '../src/dream/experience-model.js';
import type { TimeoutOptions } from '../src/env/env.js';
import { computeFidelity } from '../src/fidelity/index.js';
import { shadowLineSchema, type Observation, type ShadowLine } from '../src/protocol/index.js';
import { readShadowLines } from '../harness/report/read-shadow-lines.js';
import { createShadower, openShadowWriter, shadowCounts, type RealStepOutcome } from '../harness/shadow/index.js';

const profile = createWebShopProfile();
const instruction = 'buy a red clip';
const SEARCH = `WebShop [SEP] Instruction: [SEP] ${instruction} [SEP] Search`;
const RESULTS = `Instruction: [SEP] ${instruction} [SEP] Back to Search [SEP] Page 1 (Total results: 2) [SEP] Next > [SEP] B000000001 [SEP] Clip in Hair Extensions [SEP] $8.99 [SEP] B000000002 [SEP] Other [SEP] $2.0`;
const ITEM = `Instruction: [SEP] ${instruction} [SEP] Back to Search [SEP] < Prev [SEP] color [SEP] red [SEP] blue [SEP] Clip in Hair Extensions [SEP] Price: $8.99 [SEP] Rating: N.A. [SEP] Description [SEP] Features [SEP] Reviews [SEP] Buy Now`;
const ITEM_URL = 'http://127.0.0.1:3000/item_page/s1/B000000001/x/1/%7B%27color%27%3A%20%27red%27%7D';

const observation = (text: string, url?: string): Observation => ({
  text,
  instruction,
  ...(url === undefined ? {} : { url }),
  available_actions: profile.availableActions(text),
  source: 'real',
});

const request = (state: Observation, action: string): ExperienceRequest => ({
  task: { task_id: '1500', env: 'webshop', split: 'train', instruction },
  instruction,
  history: [],
  state,
  action,
});

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    }, { once: true });
  });

/** Answers each call from a script (text, reward, or an error), after a delay; honours the signal. */
class ScriptedModel implements ExperienceModel {
  readonly name = 'scripted-test-model';
  readonly kind = 'llm' as const;
  calls = 0;
  aborted = 0;
  constructor(
    private readonly script: ReadonlyArray<{ text: string; reward?: number } | Error | 'hang'>,
    private readonly delayMs = 0,
    private readonly gate: Promise<void> = Promise.resolve(),
  ) {}

  async predict(_request: ExperienceRequest, options?: TimeoutOptions): Promise<ExperiencePrediction> {
    const entry = this.script[this.calls % this.script.length];
    this.calls += 1;
    try {
      await sleep(entry === 'hang' ? 1e9 : this.delayMs, options?.signal);
      await this.gate;
    } catch (error) {
      this.aborted += 1;
      throw error;
    }
    if (entry instanceof Error || entry === undefined || entry === 'hang') throw entry ?? new Error('no script');
    return { reasoning: 'because', next_state: entry.text, reward: entry.reward ?? 0, done: false, retrieved: ['t1'] };
  }
}

/** A logger that keeps what it is told (the shadower's `logger` option). */
const recordingLogger = () => {
  const logged: Array<{ level: 'warn' | 'error'; fields: Record<string, unknown>; msg: string }> = [];
  const at = (level: 'warn' | 'error') => (fields: Record<string, unknown>, msg: string) => void logged.push({ level, fields, msg });
  return { logged, logger: { warn: at('warn'), error: at('error') } as unknown as NonNullable<Parameters<typeof createShadower>[0]['logger']> };
};

const collect = (): { lines: ShadowLine[]; write: (line: ShadowLine) => Promise<void> } => {
  const lines: ShadowLine[] = [];
  return { lines, write: (line) => Promise.resolve(void lines.push(line)) };
};

const realAfter = (ms: number, outcome: RealStepOutcome): Promise<RealStepOutcome> =>
  new Promise((resolve) => setTimeout(() => resolve(outcome), ms));

const input = (step: number, state: Observation, action: string, real: Promise<RealStepOutcome>) => ({
  runId: 'run1',
  episodeId: 'ep1',
  taskId: '1500',
  step,
  request: request(state, action),
  real,
});

describe('shadower', () => {
  it('does not delay the real step, and writes one valid line once the predictions arrive', async () => {
    // The model answers only when released: the real step must complete without it.
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const model = new ScriptedModel([{ text: RESULTS }, { text: ITEM, reward: 1 }], 0, gate);
    const { lines, write } = collect();
    const shadower = createShadower({ model, profile, k: 4, write });
    const real = realAfter(100, { observation: observation(RESULTS), reward: 0, done: false });
    const step = input(0, observation(SEARCH), 'search[red clip]', real);
    const started = performance.now();
    shadower.shadow(step);
    expect(performance.now() - started).toBeLessThan(50);
    await real;
    expect(shadower.pending).toBe(1);
    expect(model.calls).toBe(4); // all K started while the real step ran
    expect(lines).toHaveLength(0);
    release();
    await shadower.flush();
    expect(shadower.pending).toBe(0);
    expect(model.calls).toBe(4);
    expect(lines).toHaveLength(1);
    const line = shadowLineSchema.parse(lines[0]);
    expect(line).toMatchObject({
      run_id: 'run1', episode_id: 'ep1', task_id: '1500', step: 0, page_type: 'search', action: 'search[red clip]',
      key_real: 'results|p=1|B000000001,B000000002', key_version: 'webshop-key/1', failed: 0, model: 'scripted-test-model', model_kind: 'llm',
      tv_hat: 0.5, eps_R: 0.5,
    });
    expect(line.keys_pred).toEqual(['results|p=1|B000000001,B000000002', 'item|#30b0f14144314f98|', 'results|p=1|B000000001,B000000002', 'item|#30b0f14144314f98|']);
    expect(line.samples[0]?.text_similarity).toBe(1);
    expect(line.samples[1]?.text_similarity).toBeLessThan(0.8);
    expect(line.samples[0]?.retrieved).toEqual(['t1']);
  });

  it('starts the predictions while the real step is still running', async () => {
    const model = new ScriptedModel([{ text: RESULTS }], 0);
    const { write } = collect();
    const shadower = createShadower({ model, profile, k: 2, write });
    let resolveReal: (o: RealStepOutcome) => void = () => undefined;
    const real = new Promise<RealStepOutcome>((resolve) => (resolveReal = resolve));
    shadower.shadow(input(0, observation(SEARCH), 'search[x]', real));
    await sleep(20);
    expect(model.calls).toBe(2);
    resolveReal({ observation: observation(RESULTS), reward: 0, done: false });
    await shadower.flush();
  });

  it('compares text-only keys: a dreamed item page matches the real one although only the real one has a URL', async () => {
    const model = new ScriptedModel([{ text: ITEM }]);
    const { lines, write } = collect();
    const shadower = createShadower({ model, profile, k: 3, write });
    shadower.shadow(input(1, observation(RESULTS), 'click[B000000001]', Promise.resolve({ observation: observation(ITEM, ITEM_URL), reward: 0, done: false })));
    await shadower.flush();
    // With the URL the real key would be item|B000000001|color=red, which no URL-less text can produce.
    expect(profile.canonicalKey({ text: ITEM, url: ITEM_URL }).key).toBe('item|B000000001|color=red');
    expect(lines[0]).toMatchObject({ key_real: 'item|#30b0f14144314f98|', tv_hat: 0, page_type: 'results' });
  });

  it('counts failed and timed-out predictions in the line and never throws into the caller', async () => {
    const model = new ScriptedModel([{ text: RESULTS }, new Error('endpoint down'), 'hang'], 5);
    const { lines, write } = collect();
    const shadower = createShadower({ model, profile, k: 3, write, timeoutMs: 100 });
    shadower.shadow(input(0, observation(SEARCH), 'search[x]', Promise.resolve({ observation: observation(RESULTS), reward: 0, done: false })));
    await shadower.flush();
    const line = shadowLineSchema.parse(lines[0]);
    expect(line.samples).toHaveLength(1);
    expect(line.failed).toBe(2);
    expect(line.errors).toEqual(['endpoint down', 'STEP_TIMEOUT: shadow prediction did not finish within 100 ms']);
    expect(line.tv_hat).toBe(0);
    expect(shadower.stats).toMatchObject({ lines: 1, failedPredictions: 2 });
  });

  it('asks a model that draws samples together once per step for all K, counting each failed sample', async () => {
    const asked: number[] = [];
    const model: ExperienceModel = {
      name: 'batched-test-model',
      kind: 'llm',
      predict: () => Promise.reject(new Error('predict must not be called when predictMany exists')),
      predictMany: (_request, n) => {
        asked.push(n);
        const ok = { status: 'fulfilled' as const, value: { reasoning: 'r', next_state: RESULTS, reward: 0, done: false, retrieved: [] } };
        return Promise.resolve([ok, { status: 'rejected' as const, reason: new Error('one sample unreadable') }, ok]);
      },
    };
    const { lines, write } = collect();
    const shadower = createShadower({ model, profile, k: 3, write });
    shadower.shadow(input(0, observation(SEARCH), 'search[x]', Promise.resolve({ observation: observation(RESULTS), reward: 0, done: false })));
    await shadower.flush();
    const line = shadowLineSchema.parse(lines[0]);
    expect(asked).toEqual([3]);
    expect(line.samples).toHaveLength(2);
    expect(line.failed).toBe(1);
    expect(line.errors).toEqual(['one sample unreadable']);
  });

  it('a model that always throws still yields a line counting the failures, and no figure', async () => {
    const model = new ScriptedModel([Object.assign(new Error('bad gateway'), { code: 'MODEL_REQUEST_FAILED' })]);
    const { lines, write } = collect();
    const shadower = createShadower({ model, profile, k: 2, write });
    shadower.shadow(input(0, observation(SEARCH), 'search[x]', Promise.resolve({ observation: observation(RESULTS), reward: 0, done: false })));
    await shadower.flush();
    expect(lines[0]).toMatchObject({ samples: [], failed: 2, errors: ['MODEL_REQUEST_FAILED: bad gateway', 'MODEL_REQUEST_FAILED: bad gateway'] });
    expect(() => computeFidelity(lines, { horizon: 15 })).toThrow(/MODEL_REQUEST_FAILED: bad gateway/);
  });

  it('writes nothing for a real step that failed, and aborts its predictions', async () => {
    const model = new ScriptedModel([{ text: RESULTS }], 5_000);
    const { lines, write } = collect();
    const shadower = createShadower({ model, profile, k: 3, write });
    const real = new Promise<RealStepOutcome>((_, reject) => setTimeout(() => reject(new Error('browser crashed')), 20));
    shadower.shadow(input(0, observation(SEARCH), 'search[x]', real));
    await expect(real).rejects.toThrow('browser crashed');
    const started = performance.now();
    await shadower.flush();
    expect(performance.now() - started).toBeLessThan(2_000); // not the model's 5 s
    expect(lines).toHaveLength(0);
    expect(model.aborted).toBe(3);
    expect(shadower.stats.skippedRealFailed).toBe(1);
  });

  it('reports a failing writer to onError, keeps going, and flush still resolves', async () => {
    const model = new ScriptedModel([{ text: RESULTS }]);
    const seen: unknown[] = [];
    let calls = 0;
    const shadower = createShadower({
      model, profile, k: 1,
      write: () => (calls++ === 0 ? Promise.reject(new Error('disk full')) : Promise.resolve()),
      onError: (error) => seen.push(error),
    });
    for (const step of [0, 1]) shadower.shadow(input(step, observation(SEARCH), 'search[x]', Promise.resolve({ observation: observation(RESULTS), reward: 0, done: false })));
    await shadower.flush();
    expect(seen).toHaveLength(1);
    expect(String(seen[0])).toContain('disk full');
    expect(shadower.stats).toMatchObject({ lines: 1, lostLines: 1 });
  });

  it('counts and logs every loss: failed predictions, a real step that failed, a line not written', async () => {
    const model = new ScriptedModel([{ text: RESULTS }, new Error('endpoint down')]);
    const { logged, logger } = recordingLogger();
    let writes = 0;
    const shadower = createShadower({ model, profile, k: 2, logger, write: () => (writes++ === 1 ? Promise.reject(new Error('disk full')) : Promise.resolve()) });
    const ok = () => Promise.resolve({ observation: observation(RESULTS), reward: 0, done: false });
    shadower.shadow(input(0, observation(SEARCH), 'search[x]', ok()));
    await shadower.flush();
    shadower.shadow(input(1, observation(SEARCH), 'search[x]', ok()));
    await shadower.flush();
    const crashed = Promise.reject(new Error('browser crashed'));
    crashed.catch(() => undefined);
    shadower.shadow(input(2, observation(SEARCH), 'search[x]', crashed));
    await shadower.flush();
    // Step 0: written, 1 of 2 failed; step 1: its line not written; step 2: the real step failed.
    expect(shadowCounts(shadower.stats, 2)).toEqual({ k: 2, requested: 3, written: 1, failed: 1, dropped: 2, real_step_failed: 1, lost: 1 });
    expect(logged.map((l) => [l.level, l.msg, l.fields['step']])).toEqual([
      ['warn', '1 of 2 shadow predictions failed', 0],
      ['error', 'shadow line lost: it could not be built or written', 1],
      ['warn', 'shadow line dropped: the real step failed', 2],
    ]);
    expect(logged[0]!.fields['errors']).toEqual(['endpoint down']);
    expect(String(logged[1]!.fields['err'])).toContain('disk full');
  });

  it('returns at once even when the model computes synchronously in predict()', () => {
    const model: ExperienceModel = {
      name: 'busy', kind: 'retrieval',
      predict: () => {
        const until = performance.now() + 100;
        while (performance.now() < until) { /* a synchronous lookup */ }
        return Promise.resolve({ reasoning: '', next_state: RESULTS, reward: 0, done: false, retrieved: [] });
      },
    };
    const shadower = createShadower({ model, profile, k: 3, write: () => Promise.resolve() });
    const step = input(0, observation(SEARCH), 'search[x]', Promise.resolve({ observation: observation(RESULTS), reward: 0, done: false }));
    const started = performance.now();
    shadower.shadow(step);
    expect(performance.now() - started).toBeLessThan(50); // the model's 3 × 100 ms run later
    return shadower.flush();
  });

  it('rejects a K that is not a positive integer', () => {
    const model = new ScriptedModel([{ text: RESULTS }]);
    expect(() => createShadower({ model, profile, k: 0, write: () => Promise.resolve() })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});

describe('shadow.jsonl', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dreambridge-shadow-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('the writer appends validated lines that the report reads back', async () => {
    const writer = await openShadowWriter(dir);
    const model = new ScriptedModel([{ text: RESULTS }, { text: SEARCH, reward: 1 }], 1);
    const shadower = createShadower({ model, profile, k: 2, write: writer.write });
    for (const step of [0, 1, 2]) shadower.shadow(input(step, observation(SEARCH), 'search[x]', Promise.resolve({ observation: observation(RESULTS), reward: 0, done: false })));
    await shadower.flush();
    await writer.close();
    const text = await readFile(join(dir, 'shadow.jsonl'), 'utf8');
    expect(text.trim().split('\n')).toHaveLength(3);
    const lines = await readShadowLines(dir);
    expect(lines.map((l) => l.step).sort()).toEqual([0, 1, 2]);
    const report = computeFidelity(lines, { horizon: 15 });
    expect(report.eps_P.mean).toBe(0.5);
    expect(report.eps_R.mean).toBe(0.5);
  });

  it('on resume the writer repairs a torn last line before appending', async () => {
    const first = await openShadowWriter(dir);
    const model = new ScriptedModel([{ text: RESULTS }]);
    const shadower = createShadower({ model, profile, k: 1, write: first.write });
    shadower.shadow(input(0, observation(SEARCH), 'search[x]', Promise.resolve({ observation: observation(RESULTS), reward: 0, done: false })));
    await shadower.flush();
    await first.close();
    const path = join(dir, 'shadow.jsonl');
    await writeFile(path, `${await readFile(path, 'utf8')}{"run_id": "torn`);
    const resumed = await openShadowWriter(dir, { resume: true });
    const again = createShadower({ model, profile, k: 1, write: resumed.write });
    again.shadow(input(1, observation(SEARCH), 'search[x]', Promise.resolve({ observation: observation(RESULTS), reward: 0, done: false })));
    await again.flush();
    await resumed.close();
    expect((await readShadowLines(dir)).map((l) => l.step)).toEqual([0, 1]);
  });

  it('the writer refuses a line that does not match the schema', async () => {
    const writer = await openShadowWriter(dir);
    await expect(writer.write({ run_id: 'x' } as unknown as ShadowLine)).rejects.toThrow();
    await writer.close();
  });
});
