import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHtmlDocument, selectOne } from '../adapters/http/html-document.js';
import { submitForm } from '../adapters/http/html-form-submission.js';
import { createWebShopEnvFactory } from '../adapters/webshop/webshop-env-factory.js';
import { createHeuristicWebShopPolicy } from '../adapters/webshop/webshop-heuristic-policy.js';
import { createWebShopHttpEnvFactory } from '../adapters/webshop/webshop-http-env-factory.js';
import { createWebShopProfile } from '../adapters/webshop/webshop-profile.js';
import { compareTransports, type ConformanceEpisode } from '../adapters/webshop/webshop-transport-conformance.js';
import { createWebShopTourPolicy } from '../adapters/webshop/webshop-tour-policy.js';
import type { EnvFactory } from '../src/env/env.js';
import { createRandomPolicy } from '../harness/policies/random-policy.js';
import { runCli } from './helpers/cli.js';
import { startFixture, type FixtureHandle } from './helpers/webshop-fixture.js';

const task = (goal: number) => ({ task_id: String(goal), env: 'webshop' as const });

describe('the http transport against the browser path on the local WebShop', () => {
  let fixture: FixtureHandle;
  let browser: EnvFactory;
  let http: EnvFactory;
  beforeAll(async () => {
    fixture = await startFixture({ seed: 0, size: 1000 });
    browser = await createWebShopEnvFactory({ baseUrl: fixture.url, maxSteps: 40, realConcurrency: 4 });
    http = await createWebShopHttpEnvFactory({ baseUrl: fixture.url, maxSteps: 40 });
  });
  afterAll(async () => {
    await browser?.close();
    await http?.close();
    await fixture?.running.close();
  });

  // `npm test` compares 12 + 12 + 10 episodes; `npm run stress` runs this test with 50 + 50 + 10.
  const EPISODES = Number(process.env['DREAMBRIDGE_EQUIVALENCE_EPISODES'] ?? 12);
  it(`gives identical transitions for ${EPISODES} heuristic, ${EPISODES} random and 10 tour episodes (every human action kind)`, async () => {
    const profile = createWebShopProfile({ goalCount: fixture.site.goals.length });
    const episodes: ConformanceEpisode[] = [
      ...Array.from({ length: EPISODES }, (_, i) => ({ label: `heuristic ${1500 + i}`, task: task(1500 + i), policy: createHeuristicWebShopPolicy })),
      ...Array.from({ length: EPISODES }, (_, i) => ({ label: `random ${1600 + i}`, task: task(1600 + i), policy: () => createRandomPolicy({ seed: i, profile }), maxSteps: 8 })),
      ...Array.from({ length: 10 }, (_, i) => ({ label: `tour ${1700 + i}`, task: task(1700 + i), policy: createWebShopTourPolicy })),
    ];
    const report = await compareTransports({ browser, http, episodes, concurrency: 4 });
    expect(report.mismatches).toEqual([]);
    expect(report.episodes).toBe(2 * EPISODES + 10);
    // Every page type, invalid actions and purchases were compared, not just a few searches.
    for (const kind of ['search', 'results', 'item', 'item_sub', 'done', 'invalid']) expect(report.pageTypes[kind] ?? 0).toBeGreaterThan(kind === 'done' ? 10 : 5);
  }, 600_000);

  it('gives identical text_rich transitions (the text environment\'s rich text, visited products marked)', async () => {
    const richBrowser = await createWebShopEnvFactory({ baseUrl: fixture.url, maxSteps: 40, realConcurrency: 2, observationMode: 'text_rich' });
    const richHttp = await createWebShopHttpEnvFactory({ baseUrl: fixture.url, maxSteps: 40, observationMode: 'text_rich' });
    try {
      const episodes: ConformanceEpisode[] = [
        ...Array.from({ length: 3 }, (_, i) => ({ label: `rich heuristic ${1800 + i}`, task: task(1800 + i), policy: createHeuristicWebShopPolicy })),
        ...Array.from({ length: 3 }, (_, i) => ({ label: `rich tour ${1810 + i}`, task: task(1810 + i), policy: createWebShopTourPolicy })),
      ];
      const report = await compareTransports({ browser: richBrowser, http: richHttp, episodes, concurrency: 2 });
      expect(report.mismatches).toEqual([]);
      expect(report.pageTypes['results'] ?? 0).toBeGreaterThan(2);
      // The rich text is what was compared: it carries the [button] markers the simple text has not.
      const env = await richHttp.create();
      const first = await env.reset(task(1800));
      await env.close();
      expect(first.text).toContain('[button]');
    } finally {
      await richBrowser.close();
      await richHttp.close();
    }
  }, 300_000);

  it('finds a difference when there is one: an http observation that differs is named by field', async () => {
    const lying: EnvFactory = {
      source: 'real',
      create: async () => {
        const env = await http.create();
        const step = env.step.bind(env);
        env.step = async (action, options) => {
          const result = await step(action, options);
          return { ...result, observation: { ...result.observation, text: result.observation.text.replace('Price', 'Cost') } };
        };
        return env;
      },
      close: () => Promise.resolve(),
    };
    const report = await compareTransports({ browser, http: lying, episodes: [{ label: 'tour', task: task(1500), policy: createWebShopTourPolicy }] });
    expect(report.ok).toBe(false);
    expect(report.mismatches[0]).toMatchObject({ episode: 'tour', field: 'observation.text' });
  }, 120_000);

  it('run --transport http records the transport and no browser in the manifest', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'db-http-')), 'run');
    const result = await runCli(['collect', '--env', 'webshop', '--fixture', '--transport', 'http', '--episodes', '3', '--out', out]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { site: Record<string, unknown>; versions: Record<string, unknown> };
    expect(manifest.site).toMatchObject({ transport: 'http' });
    expect(manifest.versions.browser).toBeNull();
    const lines = readFileSync(join(out, 'transitions.jsonl'), 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.every((line) => (JSON.parse(line) as { source: string }).source === 'real')).toBe(true);
  }, 120_000);
});

describe('the http transport on pages it must not guess', () => {
  let server: import('node:http').Server;
  let base = '';
  beforeAll(async () => {
    const app = express();
    // A script-rendered shop: an empty root and a bundle.
    app.get('/spa-fixed_0', (_req, res) => res.type('html').send('<!DOCTYPE html><html><body><div id="root"></div><script src="/app.js"></script></body></html>'));
    // A WebShop-like search page whose button only a script can act on, and one that sets a cookie.
    app.get('/scripted-fixed_0', (_req, res) =>
      res.type('html').send('<html><body><div id="instruction-text"><h4>Instruction: buy</h4></div><button class="btn" type="button" onclick="go()">Go</button></body></html>'),
    );
    app.get('/cookie-fixed_0', (req, res) => {
      res.setHeader('set-cookie', 'visit=1; Path=/');
      res.type('html').send(`<html><body><div id="instruction-text"><h4>Instruction: buy</h4></div><p>cookie:${req.headers.cookie ?? 'none'}</p><a class="btn" href="/cookie-fixed_0">Again</a></body></html>`);
    });
    server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const envAt = async () => (await createWebShopHttpEnvFactory({ baseUrl: base })).create();
  const withSid = (sid: string) => ({ ...task(0), config: { session_id: sid } });

  it('refuses a script-rendered page with SCRIPT_REQUIRED naming what it found', async () => {
    const env = await envAt();
    await expect(env.reset(withSid('spa-fixed_0'))).rejects.toMatchObject({ code: 'SCRIPT_REQUIRED', message: expect.stringMatching(/1 <script> element \(\/app\.js\)/) });
  });

  it('refuses a click only a script can act on, never a silently different page', async () => {
    const env = await envAt();
    await env.reset(withSid('scripted-fixed_0'));
    await expect(env.step('click[go]')).rejects.toMatchObject({ code: 'SCRIPT_REQUIRED', message: expect.stringMatching(/onclick/) });
  });

  it('keeps cookies within an episode and starts every episode without them', async () => {
    const env = await envAt();
    expect((await env.reset(withSid('cookie-fixed_0'))).text).toContain('cookie:none');
    expect((await env.step('click[again]')).observation.text).toContain('cookie:visit=1');
    expect((await env.reset(withSid('cookie-fixed_0'))).text).toContain('cookie:none');
  });
});

describe('form submission as the HTML standard builds it', () => {
  const doc = (html: string) => parseHtmlDocument(html, 'http://shop.test/a/b?x=1#f');
  const only = (d: ReturnType<typeof doc>, sel: string) => selectOne(d, sel) as never;

  it('GET replaces the query with the entries; POST puts them in the body; formaction and formmethod win', () => {
    const d = doc(`<form action="s?old=1"><input name="q" value="red shoes"><input type="checkbox" name="c"><input type="checkbox" name="k" checked>
      <select name="s"><option>one</option><option selected value="2">two</option></select><button name="go" value="y">Go</button><button id="p" formmethod="post" formaction="/p">P</button></form>`);
    const form = only(d, 'form');
    expect(submitForm(d, form, only(d, 'button'))).toEqual({ method: 'GET', url: 'http://shop.test/a/s?q=red+shoes&k=on&s=2&go=y' });
    expect(submitForm(d, form, only(d, '#p'))).toEqual({ method: 'POST', url: 'http://shop.test/p', body: 'q=red+shoes&k=on&s=2' });
  });

  it('an empty action submits to the document URL; a GET with no entries leaves a bare ?', () => {
    const d = doc('<form method="get"><button>Go</button></form>');
    expect(submitForm(d, only(d, 'form'), only(d, 'button'))).toEqual({ method: 'GET', url: 'http://shop.test/a/b?#f' });
  });
});
