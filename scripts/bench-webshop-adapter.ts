/**
 * Like-for-like benchmark of the WebShop adapter against the bare Playwright floor, in one run,
 * on the local fixture (served by a separate process, as a real site would be):
 *  (a) floor per action kind: plain Playwright doing the same navigation (for a search, the same
 *      form fill and POST + redirect; for a form button, the same form POST; for a link or an
 *      option, a GET of the URL it leads to) plus the same text extraction, on the same pages;
 *  (b) the adapter's step latency for the same action kinds;
 *  (c) throughput (steps/s) at concurrency 1, 2, 4, 8 for both.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { createBrowserProvider, type BrowserProvider } from '../adapters/browser/browser-provider.js';
import { extractSimpleText } from '../adapters/browser/dom-text.js';
import { WebShopEnv } from '../adapters/webshop/webshop-env.js';
import { median, percentile } from './lib/stats.js';

const root = fileURLToPath(new URL('../', import.meta.url));

/** One scripted episode covering every action kind; `{asin}`/`{option}` are filled from the page. */
const SCRIPT: ReadonlyArray<[kind: string, action: string]> = [
  ['search', 'search[{query}]'],
  ['next >', 'click[next >]'],
  ['< prev (results)', 'click[< prev]'],
  ['product', 'click[{asin}]'],
  ['option', 'click[{option}]'],
  ['sub-page', 'click[description]'],
  ['< prev (sub-page)', 'click[< prev]'],
  ['back to search', 'click[back to search]'],
  ['search', 'search[{query}]'],
  ['product', 'click[{asin}]'],
  ['buy now', 'click[buy now]'],
];

interface RecordedStep {
  kind: string;
  action: string;
  /** Page URL after the step: what the floor navigates to. */
  url: string;
}

export const startFixtureProcess = (): Promise<{ url: string; child: ChildProcess }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/dreambridge.js', 'fixture', 'webshop', '--port', '0'], { cwd: root, env: { ...process.env, DREAMBRIDGE_LOG_LEVEL: 'warn' } });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /listening on (\S+)/.exec(out)?.[1];
      if (url) resolve({ url, child });
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`fixture exited with ${code}`)));
  });

/** Runs the script through the adapter; returns per-step latencies and the URLs it visited. */
const adapterEpisode = async (env: WebShopEnv, goal: number, query: string, onStep: () => void = () => undefined): Promise<{ samples: Array<[string, number]>; steps: RecordedStep[] }> => {
  let obs = await env.reset({ task_id: String(goal), env: 'webshop' });
  onStep();
  const samples: Array<[string, number]> = [];
  const steps: RecordedStep[] = [];
  for (const [kind, template] of SCRIPT) {
    const clickables = (obs.available_actions as { clickables: string[] }).clickables;
    const asin = clickables.find((c) => /^b0[a-z0-9]{8}$/.test(c)) ?? '';
    const option = clickables.filter((c) => !['back to search', '< prev', 'description', 'features', 'reviews', 'buy now'].includes(c))[0];
    if (template.includes('{option}') && option === undefined) continue;
    const action = template.replace('{query}', query).replace('{asin}', asin).replace('{option}', option ?? '');
    const started = performance.now();
    const result = await env.step(action);
    samples.push([kind, performance.now() - started]);
    if (result.observation.last_action_error) throw new Error(`bench script: ${action} refused: ${result.observation.last_action_error}`);
    steps.push({ kind, action, url: result.observation.url! });
    onStep();
    obs = result.observation;
  }
  return { samples, steps };
};

/** Buttons whose click submits a form (a POST): the floor submits the same form. */
const FORM_BUTTONS: Readonly<Record<string, string>> = {
  'next >': 'Next >',
  '< prev (results)': '< Prev',
  'sub-page': 'Description',
  '< prev (sub-page)': '< Prev',
  'back to search': 'Back to Search',
  'buy now': 'Buy Now',
};

/** Clicks the button with this text in the page (the browser then submits its form). */
const clickButtonScript = (label: string): string =>
  `(() => { const b = [...document.querySelectorAll('button')].find((e) => e.textContent.trim() === ${JSON.stringify(label)}); b.click(); })()`;

/**
 * The same navigations with bare Playwright: a search fills the box and submits the form (POST +
 * redirect), a form button submits its form (POST), a product link or an option is a GET of the
 * URL it leads to; then the same text extraction.
 */
const floorEpisode = async (page: Page, baseUrl: string, sid: string, steps: readonly RecordedStep[], query: string, onStep: () => void = () => undefined): Promise<Array<[string, number]>> => {
  await page.goto(`${baseUrl}/${sid}`, { waitUntil: 'domcontentloaded' });
  await extractSimpleText(page);
  onStep();
  const samples: Array<[string, number]> = [];
  for (const step of steps) {
    const started = performance.now();
    const button = FORM_BUTTONS[step.kind];
    if (step.kind === 'search') {
      if (!(await page.$('#search_input'))) await page.goto(`${baseUrl}/${sid}`, { waitUntil: 'domcontentloaded' });
      const navigated = page.waitForNavigation({ waitUntil: 'domcontentloaded' });
      await page.evaluate(`(() => { const i = document.querySelector('#search_input'); i.value = ${JSON.stringify(query)}; i.form.querySelector('[type=submit]').click(); })()`);
      await navigated;
    } else if (button !== undefined) {
      const navigated = page.waitForNavigation({ waitUntil: 'domcontentloaded' });
      await page.evaluate(clickButtonScript(button));
      await navigated;
    } else {
      await page.goto(step.url, { waitUntil: 'domcontentloaded' });
    }
    await extractSimpleText(page);
    samples.push([step.kind, performance.now() - started]);
    onStep();
  }
  return samples;
};

const byKind = (samples: ReadonlyArray<[string, number]>): Map<string, number[]> => {
  const out = new Map<string, number[]>();
  for (const [kind, ms] of samples) out.set(kind, [...(out.get(kind) ?? []), ms]);
  return out;
};

/**
 * Steps per second with K workers running episodes back to back: steps completed inside the
 * window, divided by the window (episodes straddling its end are not counted past it).
 */
const throughput = async (k: number, durationMs: number, runOne: (worker: number, round: number, onStep: () => void) => Promise<unknown>): Promise<number> => {
  const end = performance.now() + durationMs;
  let steps = 0;
  const onStep = () => {
    if (performance.now() < end) steps += 1;
  };
  await Promise.all(
    Array.from({ length: k }, async (_, worker) => {
      for (let round = 0; performance.now() < end; round += 1) await runOne(worker, round, onStep);
    }),
  );
  return steps / (durationMs / 1000);
};

export interface AdapterBenchResult {
  kinds: Record<string, { floor_median_ms: number; floor_p95_ms: number; adapter_median_ms: number; adapter_p95_ms: number; ratio: number }>;
  throughput: Record<string, { floor_steps_per_s: number; adapter_steps_per_s: number; ratio: number }>;
  best_throughput_ratio: number;
  max_median_ratio: number;
}

export const benchWebShopAdapter = async (options: { episodes?: number; throughputMs?: number; concurrency?: number[] } = {}): Promise<AdapterBenchResult> => {
  const episodes = options.episodes ?? 20;
  const fixture = await startFixtureProcess();
  const provider: BrowserProvider = createBrowserProvider({ kind: 'launch' });
  const query = 'natural hair extensions';
  try {
    // Warm up both paths (browser start, caches), then alternate adapter and floor episodes.
    const env = new WebShopEnv({ baseUrl: fixture.url, browser: provider, maxSteps: 100 });
    const floorContext: BrowserContext = await provider.newContext();
    const floorPage = await floorContext.newPage();
    const warm = await adapterEpisode(env, 1500, query);
    await floorEpisode(floorPage, fixture.url, 'bench-fixed_1500', warm.steps, query);
    const adapterSamples: Array<[string, number]> = [];
    const floorSamples: Array<[string, number]> = [];
    for (let i = 0; i < episodes; i += 1) {
      const goal = 1500 + (i % 50);
      const run = await adapterEpisode(env, goal, query);
      adapterSamples.push(...run.samples);
      floorSamples.push(...(await floorEpisode(floorPage, fixture.url, `bench${i}-fixed_${goal}`, run.steps, query)));
    }
    await env.close();
    await floorContext.close();

    const kinds: AdapterBenchResult['kinds'] = {};
    const floorByKind = byKind(floorSamples);
    for (const [kind, samples] of byKind(adapterSamples)) {
      const floor = floorByKind.get(kind) ?? [];
      kinds[kind] = {
        floor_median_ms: median(floor),
        floor_p95_ms: percentile(floor, 95),
        adapter_median_ms: median(samples),
        adapter_p95_ms: percentile(samples, 95),
        ratio: median(samples) / median(floor),
      };
    }

    const result: AdapterBenchResult['throughput'] = {};
    for (const k of options.concurrency ?? [1, 2, 4, 8]) {
      const envs = Array.from({ length: k }, () => new WebShopEnv({ baseUrl: fixture.url, browser: provider, maxSteps: 100 }));
      const recorded = warm.steps;
      const adapter = await throughput(k, options.throughputMs ?? 8000, (w, _round, onStep) => adapterEpisode(envs[w]!, 1500, query, onStep));
      await Promise.all(envs.map((e) => e.close()));
      const contexts = await Promise.all(Array.from({ length: k }, () => provider.newContext()));
      const pages = await Promise.all(contexts.map((c) => c.newPage()));
      const floor = await throughput(k, options.throughputMs ?? 8000, (w, round, onStep) => floorEpisode(pages[w]!, fixture.url, `tp${w}-${round}-fixed_1500`, recorded, query, onStep));
      await Promise.all(contexts.map((c) => c.close()));
      result[String(k)] = { floor_steps_per_s: floor, adapter_steps_per_s: adapter, ratio: adapter / floor };
    }
    const best = (key: 'floor_steps_per_s' | 'adapter_steps_per_s') => Math.max(...Object.values(result).map((r) => r[key]));
    return {
      kinds,
      throughput: result,
      best_throughput_ratio: best('adapter_steps_per_s') / best('floor_steps_per_s'),
      max_median_ratio: Math.max(...Object.values(kinds).map((k) => k.ratio)),
    };
  } finally {
    await provider.close();
    fixture.child.kill('SIGTERM');
  }
};
