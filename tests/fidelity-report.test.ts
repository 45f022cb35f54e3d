import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../adapters/browser/launch.js';
import { writeFidelityOutputs } from '../harness/report/index.js';
import { shadowLineSchema, type ShadowLine } from '../src/protocol/index.js';
import { runCli } from './helpers/cli.js';

const HOSTILE = '<script>window.__pwned = 1</script><img src="https://example.invalid/x.png" onerror="window.__pwned = 2">';

/** A small shadow file: 3 episodes × 4 steps, K = 3, with known misses on the item pages. */
const shadowLines = (modelKind: 'llm' | 'retrieval'): ShadowLine[] => {
  const lines: ShadowLine[] = [];
  const pageTypes = ['search', 'results', 'item', 'item'];
  for (let e = 0; e < 3; e += 1) {
    for (let step = 0; step < 4; step += 1) {
      const pageType = pageTypes[step] ?? 'item';
      const rewardReal = step === 3 ? 1 : 0;
      const samples = [0, 1, 2].map((j) => {
        // Item pages: one sample of three lands elsewhere; the buy step's reward is missed once.
        const miss = pageType === 'item' && j === 0;
        return {
          text: miss ? `dreamed page ${HOSTILE} ${e}.${step}` : `real page ${e}.${step}`,
          reward: step === 3 && j === 1 ? 0 : rewardReal,
          done: step === 3,
          reasoning: `reasoning ${HOSTILE}`,
          key: miss ? `other|${e}.${step}` : `key|${e}.${step}`,
          text_similarity: miss ? 0.4 : 1,
          retrieved: [],
        };
      });
      lines.push(shadowLineSchema.parse({
        run_id: 'run1', episode_id: `ep${e}`, task_id: String(1500 + e), step, page_type: pageType, action: `click[item ${step}]`,
        real_text: `real page ${HOSTILE} ${e}.${step}`, reward_real: rewardReal, done_real: step === 3, key_real: `key|${e}.${step}`,
        key_version: 'test-key/1', samples, keys_pred: samples.map((s) => s.key), eps_R: 0, tv_hat: 0,
        failed: e === 0 && step === 0 ? 1 : 0, ...(e === 0 && step === 0 ? { errors: ['STEP_TIMEOUT: slow'] } : {}),
        model: modelKind === 'retrieval' ? 'retrieval-default' : 'openai:dream-7b', model_kind: modelKind,
      }));
    }
  }
  return lines;
};

const makeRunDir = async (options: { kind?: 'llm' | 'retrieval'; maxSteps?: number; shadow?: string } = {}): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), 'dreambridge-fidelity-'));
  const text = options.shadow ?? shadowLines(options.kind ?? 'llm').map((l) => JSON.stringify(l)).join('\n') + '\n';
  await writeFile(join(dir, 'shadow.jsonl'), text);
  if (options.maxSteps !== undefined) await writeFile(join(dir, 'manifest.json'), JSON.stringify({ options: { max_steps: options.maxSteps } }));
  return dir;
};

const dirs: string[] = [];
const tracked = async (options: Parameters<typeof makeRunDir>[0] = {}): Promise<string> => {
  const dir = await makeRunDir(options);
  dirs.push(dir);
  return dir;
};

let browser: Browser | undefined;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('writeFidelityOutputs', () => {
  it('writes fidelity.json with the figures, per page type and the bound; H from the manifest', async () => {
    const dir = await tracked({ maxSteps: 10 });
    const { report, jsonPath, htmlPath } = await writeFidelityOutputs(dir);
    expect(jsonPath).toBe(join(dir, 'fidelity.json'));
    expect(htmlPath).toBe(join(dir, 'report.html'));
    const json = JSON.parse(await readFile(jsonPath, 'utf8')) as Record<string, unknown>;
    expect(json).toEqual(JSON.parse(JSON.stringify(report)));
    for (const key of ['eps_R', 'eps_P']) expect(Object.keys(json[key] as object)).toEqual(expect.arrayContaining(['mean', 'p95', 'max', 'ci_low', 'ci_high', 'n']));
    // 6 item steps × 1 miss of 3 → tv 1/3 there, 0 elsewhere: mean over 12 steps = 1/6.
    expect(report.eps_P.mean).toBeCloseTo(1 / 6, 10);
    expect(report.eps_R.mean).toBeCloseTo(1 / 12, 10); // the buy step: one sample of three misses the reward
    expect(report.by_page_type['item']).toMatchObject({ steps: 6, samples: 18 });
    expect(report.by_page_type['search']).toMatchObject({ steps: 3 });
    expect(report).toMatchObject({ horizon: 10, gamma: 0.9, r_max: 1, steps: 12, failed_predictions: 1, model: 'openai:dream-7b', key_version: 'test-key/1' });
    expect(report.bound.finite_horizon.sup).toBeCloseTo(10 * (1 / 3) + 90 * (1 / 3), 10);
  });

  it('defaults H to 15 without a manifest and takes gamma, R_max and H from the options', async () => {
    const dir = await tracked();
    expect((await writeFidelityOutputs(dir)).report.horizon).toBe(15);
    const { report } = await writeFidelityOutputs(dir, { gamma: 0.5, rMax: 2, horizon: 4 });
    expect(report).toMatchObject({ gamma: 0.5, r_max: 2, horizon: 4 });
  });

  it('a corrupt line is RUN_FILE_CORRUPT naming file and line', async () => {
    const good = shadowLines('llm').map((l) => JSON.stringify(l));
    const dir = await tracked({ shadow: `${good[0]}\n{"run_id": "x"}\n${good[1]}\n` });
    await expect(writeFidelityOutputs(dir)).rejects.toMatchObject({ code: 'RUN_FILE_CORRUPT', message: expect.stringMatching(/^shadow\.jsonl:2: /) });
  });

  it('an empty file is SHADOW_DATA_MISSING', async () => {
    const dir = await tracked({ shadow: '' });
    await expect(writeFidelityOutputs(dir)).rejects.toMatchObject({ code: 'SHADOW_DATA_MISSING', message: expect.stringContaining('--shadow K') });
  });
});

describe('report.html in Chromium', () => {
  it('renders its plots with no console error and no external request, and escapes the states', async () => {
    const dir = await tracked({ kind: 'retrieval', maxSteps: 15 });
    const { htmlPath, report } = await writeFidelityOutputs(dir);
    const page = await (browser as Browser).newPage({ viewport: { width: 1200, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    const url = pathToFileURL(htmlPath).href;
    await page.goto(url);
    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

    const charts = page.locator('svg.chart');
    expect(await charts.count()).toBe(3);
    for (const id of ['chart-errors-over-steps', 'chart-page-types', 'chart-reward-calibration']) {
      const box = await page.locator(`#${id}`).boundingBox();
      expect(box?.width).toBeGreaterThan(300);
      expect(box?.height).toBeGreaterThan(150);
    }
    expect(await page.locator('#chart-errors-over-steps circle.dot').count()).toBeGreaterThan(2);
    expect(await page.locator('#chart-page-types rect.bar').count()).toBe(6); // 3 page types × (ε_R, ε_P)
    expect(await page.locator('#chart-page-types').textContent()).toContain('6 steps');
    expect(await page.locator('#chart-reward-calibration circle.dot').count()).toBeGreaterThan(1);

    // A chart's pixels are far from blank: compare with a blank box of the same size.
    const chartPng = await page.locator('#chart-errors-over-steps').screenshot();
    await page.evaluate(() => {
      const blank = document.createElement('div');
      blank.id = 'blank';
      blank.style.cssText = 'width:640px;height:292px;background:#fff';
      document.body.prepend(blank);
    });
    const blankPng = await page.locator('#blank').screenshot();
    expect(chartPng.length).toBeGreaterThan(blankPng.length * 4);

    const headline = await page.locator('#headline').innerText();
    expect(headline).toContain(report.eps_P.mean.toFixed(3));
    expect(headline).toContain(`[${report.eps_R.ci_low.toFixed(3)}, ${report.eps_R.ci_high.toFixed(3)}]`);
    expect(await page.locator('#bound').innerText()).toContain(report.bound.discounted.sup.toFixed(3));
    expect(await page.locator('#retrieval-note').innerText()).toContain('lookup table');
    const worst = await page.locator('article.transition').first().innerText();
    expect(worst).toContain('real next state');
    expect(worst).toContain('dreamed next state');
    expect(worst).toContain('<script>window.__pwned = 1</script>');
    await page.close();
  });

  it('an LLM model gets no retrieval note', async () => {
    const dir = await tracked({ kind: 'llm' });
    const { htmlPath } = await writeFidelityOutputs(dir);
    const html = await readFile(htmlPath, 'utf8');
    expect(html).not.toContain('retrieval-note');
    expect(html).not.toContain('<script');
  });
});

describe('dreambridge report', () => {
  it('rebuilds both files and prints eps_R, eps_P with intervals and the report path', async () => {
    const dir = await tracked({ maxSteps: 10 });
    const result = await runCli(['report', dir, '--gamma', '0.8', '--r-max', '1']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^eps_R 0\.083 \[0\.\d{3}, 0\.\d{3}\] \(95% CI\), p95 [\d.]+, max 0\.333 · 12 steps, 36 samples$/m);
    expect(result.stdout).toMatch(/^eps_P 0\.167 \[0\.\d{3}, 0\.\d{3}\] \(95% CI\)/m);
    expect(result.stdout).toContain('gamma 0.8');
    expect(result.stdout).toContain('H 10');
    expect(result.stdout).toContain(`report: ${join(dir, 'report.html')}`);
    const json = JSON.parse(await readFile(join(dir, 'fidelity.json'), 'utf8')) as { gamma: number; horizon: number };
    expect(json).toMatchObject({ gamma: 0.8, horizon: 10 });
  });

  it('says how to produce shadow data when there is none, and refuses gamma >= 1', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'dreambridge-noshadow-'));
    dirs.push(empty);
    const [missing, badGamma] = await Promise.all([runCli(['report', empty]), runCli(['report', await tracked(), '--gamma', '1'])]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error SHADOW_DATA_MISSING: .*shadow\.jsonl does not exist: .*--shadow K/);
    expect(badGamma.code).toBe(1);
    expect(badGamma.stderr).toContain('error CONFIG_INVALID: gamma must satisfy 0 <= gamma < 1, got 1');
  });
});
