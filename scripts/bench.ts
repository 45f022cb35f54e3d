/**
 * Benchmarks (not timed tests): the WebShop fixture's start-up, page latency over HTTP, and page
 * observation in Chromium against a bare-Playwright baseline measured in the same run.
 * Usage: npm run bench [-- --runs N] ; prints a Markdown table for the README.
 */
import { spawn } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { extractSimpleText } from '../adapters/browser/dom-text.js';
import { launchChromium } from '../adapters/browser/launch.js';
import { startWebShop } from '../fixtures/webshop/server.js';
import { buildWebShopSite } from '../fixtures/webshop/webshop-site.js';
import { benchWebArenaObservation } from './bench-webarena-observation.js';
import { benchWebArenaSteps } from './bench-webarena-steps.js';
import { benchWebShopAdapter } from './bench-webshop-adapter.js';
import { benchResourcePolicy } from './bench-resource-policy.js';
import { benchSimToReal } from './bench-sim-to-real.js';
import { benchBranch } from './bench-branch.js';
import { benchRedisLedger } from './bench-redis-ledger.js';
import { benchServeFleet } from './bench-serve-fleet.js';
import { benchHttpTransport } from './bench-http-transport.js';
import { benchDokuWiki } from './bench-dokuwiki.js';
import { fmt, median, percentile, timeIt } from './lib/stats.js';

const runsFlag = process.argv.indexOf('--runs');
const RUNS = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 5;
const root = fileURLToPath(new URL('../', import.meta.url));
const rows: string[][] = [];
const row = (...cells: string[]) => {
  rows.push(cells);
  console.error(`  ${cells.join(' | ')}`);
};

/** Wall time from spawning `dreambridge fixture webshop` to its first page answered. */
const coldStart = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, ['bin/dreambridge.js', 'fixture', 'webshop', '--port', '0'], { cwd: root, env: { ...process.env, DREAMBRIDGE_LOG_LEVEL: 'warn' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /listening on (\S+)/.exec(out)?.[1];
      if (!url) return;
      child.stdout.removeAllListeners('data');
      fetch(`${url}/fixed_0`)
        .then(async (r) => {
          await r.text();
          resolve(performance.now() - start);
        }, reject)
        .finally(() => child.kill('SIGTERM'));
    });
    child.on('error', reject);
  });

const main = async (): Promise<void> => {
  console.error(`bench: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`);

  const starts: number[] = [];
  await coldStart(); // warm tsx's transform cache, as any second start is
  for (let i = 0; i < RUNS; i += 1) starts.push(await coldStart());
  row('fixture cold start → first page (CLI included, 1000 products)', `median ${fmt(median(starts))} ms, max ${fmt(Math.max(...starts))} ms`, 'target < 2000 ms');

  const builds: number[] = [];
  for (let i = 0; i < RUNS; i += 1) builds.push((await timeIt(() => buildWebShopSite({ seed: i })))[0]);
  row('site build in-process (generate + goals + index)', `median ${fmt(median(builds))} ms`, '');

  const site = await buildWebShopSite();
  const running = await startWebShop(site, { port: 0 });
  const goal = site.goals[1500]!;
  const asin = goal.asin;
  const paths: Record<string, string> = {
    search: '/fixed_1500',
    results: `/search_results/fixed_1500/${encodeURIComponent(`['${goal.query.split(' ').join("', '")}']`)}/1`,
    item: `/item_page/fixed_1500/${asin}/x/1/%7B%7D`,
    'sub-page': `/item_sub_page/fixed_1500/${asin}/x/1/Features/%7B%7D`,
    done: `/done/fixed_1500/${asin}/%7B%7D`,
  };
  await fetch(`${running.url}${paths.done}`).then((r) => r.text()); // loads the POS tagger
  for (const [name, path] of Object.entries(paths)) {
    const samples: number[] = [];
    for (let i = 0; i < 200; i += 1) samples.push((await timeIt(() => fetch(`${running.url}${path}`).then((r) => r.text())))[0]);
    row(`HTTP ${name} page`, `p50 ${fmt(median(samples))} ms, p95 ${fmt(percentile(samples, 95))} ms`, '');
  }

  const browser = await launchChromium();
  const context = await browser.newContext();
  const page = await context.newPage();
  const ours: number[] = [];
  const bare: number[] = [];
  const urls = Object.values(paths).map((p) => `${running.url}${p}`);
  for (let round = 0; round < 20; round += 1) {
    for (const url of urls) {
      // Alternate which goes first so neither benefits from the other's warm caches.
      const measureBare = async () => bare.push((await timeIt(async () => (await page.goto(url), await page.evaluate('document.body.innerText'))))[0]);
      const measureOurs = async () => ours.push((await timeIt(async () => (await page.goto(url), await extractSimpleText(page))))[0]);
      if (round % 2 === 0) await measureBare().then(measureOurs);
      else await measureOurs().then(measureBare);
    }
  }
  row(
    'Chromium goto + simple-text observation vs bare Playwright goto + innerText',
    `p50 ${fmt(median(ours))} ms vs ${fmt(median(bare))} ms (ratio ${(median(ours) / median(bare)).toFixed(2)})`,
    '',
  );
  await context.close();
  await browser.close();
  await running.close();

  console.error('bench: WebShop adapter vs bare Playwright floor (fixture in its own process)…');
  const adapter = await benchWebShopAdapter({ episodes: RUNS * 4 });
  for (const [kind, k] of Object.entries(adapter.kinds)) {
    row(`step: ${kind}`, `adapter p50 ${fmt(k.adapter_median_ms)} / p95 ${fmt(k.adapter_p95_ms)} ms; floor p50 ${fmt(k.floor_median_ms)} / p95 ${fmt(k.floor_p95_ms)} ms; ratio ${k.ratio.toFixed(2)}`, '≤ 1.25×');
  }
  for (const [k, t] of Object.entries(adapter.throughput)) {
    row(`throughput at concurrency ${k}`, `adapter ${t.adapter_steps_per_s.toFixed(1)} steps/s, floor ${t.floor_steps_per_s.toFixed(1)} steps/s, ratio ${t.ratio.toFixed(2)}`, '');
  }
  row('best throughput, adapter / floor', adapter.best_throughput_ratio.toFixed(2), '≥ 0.85×');

  console.error('bench: WebShop step with an unreachable CDN script in the head vs the plain page…');
  const policy = await benchResourcePolicy();
  row('WebShop step, unreachable CDN in head / plain page', `p50 ${fmt(policy.unreachable_cdn_p50_ms)} vs ${fmt(policy.fixture_p50_ms)} ms; ratio ${policy.ratio_p50.toFixed(2)}`, '≤ 1.25×');

  console.error('bench: WebArena observation vs Playwright ariaSnapshot, and step latency…');
  const observation = await benchWebArenaObservation({ samples: 25 });
  for (const r of observation) {
    row(
      `WebArena observation, ${r.elements} elements (${r.lines} lines)`,
      `p50 ${fmt(r.observe.medianMs)} / p95 ${fmt(r.observe.p95Ms)} ms; ariaSnapshot p50 ${fmt(r.ariaSnapshot.medianMs)} / p95 ${fmt(r.ariaSnapshot.p95Ms)} ms; ratio ${r.ratio.toFixed(2)}`,
      r.elements < 2000 ? '≤ 100 ms, ≤ 1.3×' : '≤ 1.3×',
    );
  }
  const steps = await benchWebArenaSteps();
  for (const s of steps) row(`WebArena step: ${s.kind} (fixture)`, `p50 ${fmt(s.medianMs)} / p95 ${fmt(s.p95Ms)} ms`, '');

  const simToReal = await benchSimToReal(row, adapter.best_throughput_ratio);
  console.error('bench: Early Experience branches (WebShop K=3, WebArena fixture K=2)…');
  const branch = await benchBranch();
  for (const b of branch) {
    row(`branch ${b.site} (K=${b.k}, ${b.branches} branches, concurrency 2)`, `${b.interactionsPerBranch?.toFixed(2) ?? '-'} real interactions/branch (${(b.replayShare * 100).toFixed(0)} % replay), ${fmt(b.wallMsPerBranch ?? 0)} ms/branch = ${b.ratio?.toFixed(1) ?? '-'}× the expert's ${fmt(b.baselineMsPerStep)} ms/step`, 'measured');
  }

  console.error('bench: Redis ledger and two servers sharing a buffer stream…');
  const redisLedger = await benchRedisLedger();
  row('Redis ledger reserve + commit (local redis-server)', `p50 ${fmt(redisLedger.redisMedianMs)} / p95 ${fmt(redisLedger.redisP95Ms)} ms; file ledger p50 ${fmt(redisLedger.fileMedianMs)} ms; ratio ${redisLedger.ratio.toFixed(2)}`, '≤ 1 ms');
  const fleet = await benchServeFleet();
  row(`dream steps/s, ${fleet.clients} clients: two servers vs one (same machine)`, `${fleet.twoServersStepsPerS.toFixed(0)} vs ${fleet.oneServerStepsPerS.toFixed(0)}; ratio ${fleet.ratio.toFixed(2)}`, '');

  console.error('bench: WebShop http transport vs the browser path…');
  const http = await benchHttpTransport();
  for (const [kind, k] of Object.entries(http.kinds)) row(`http transport step: ${kind}`, `p50 ${fmt(k.http_p50_ms)} / p95 ${fmt(k.http_p95_ms)} ms; bare-HTTP floor of the same requests p50 ${fmt(k.floor_p50_ms)} ms (${k.ratio_p50.toFixed(2)}×; n ${k.n})`, '≤ 3 ms p50');
  row(
    'http transport throughput at concurrency 1–32 vs browser path 1–8',
    `http ${Object.entries(http.http_throughput).map(([k, v]) => `K${k} ${v.toFixed(0)}`).join(', ')} steps/s; browser ${Object.entries(http.browser_throughput).map(([k, v]) => `K${k} ${v.toFixed(1)}`).join(', ')} steps/s; best ratio ${http.best_ratio.toFixed(1)}×`,
    '≥ 20×',
  );
  row(`s2r run, ${http.s2r.cap} real interactions over http under the cap (CLI wall)`, `${http.s2r.wall_s.toFixed(1)} s`, '≤ 30 s');

  console.error('bench: a Debian DokuWiki through a site file (reset before every episode)…');
  const wiki = await benchDokuWiki();
  if (wiki.skipped) row('DokuWiki through a site file', `skipped: ${wiki.skipped}`, '');
  else {
    row(`DokuWiki reset per episode (command + readiness, ${wiki.episodes} episodes)`, `p50 ${fmt(wiki.reset_command_p50_ms)} + ${fmt(wiki.reset_ready_p50_ms)} ms; whole env.reset p50 ${fmt(wiki.env_reset_p50_ms)} / p95 ${fmt(wiki.env_reset_p95_ms)} ms`, '');
    row('DokuWiki step: click (to the next observation)', `p50 ${fmt(wiki.step_p50_ms)} / p95 ${fmt(wiki.step_p95_ms)} ms (n ${wiki.steps})`, '');
  }

  console.log('| measure | result | target |\n|---|---|---|');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  console.log('\n```json');
  console.log(JSON.stringify({ machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`, webshop_adapter: adapter, webshop_resource_policy: policy, webarena_observation: observation, webarena_steps: steps, sim_to_real: simToReal, branch, redis_ledger: redisLedger, serve_fleet: fleet, http_transport: http, dokuwiki: wiki }, (_, v: unknown) => (typeof v === 'number' ? Number(v.toFixed(3)) : v), 2));
  console.log('```');
};

await main();
