/**
 * Reliability runs too long for `npm test` (which runs small versions of the same checks):
 *  1. route fuzzing: many malformed requests; every answer is a 4xx page or a normal page, never a
 *     500, and the server stays up;
 *  2. soak: many sessions walking search → results → item → done over HTTP, checking the server's
 *     memory stays flat (sessions are stateless, nothing accumulates).
 *  3. the real-interaction ledger: 4 processes × 16 workers racing for a cap, one SIGKILLed;
 *  4. kill/resume: a s2r run under a ledger cap SIGKILLed 20 times at random points and resumed;
 *  5. the env server: 32 dream + 4 real sessions for 2 minutes, 128 dream + 8 real through the
 *     token URL for 2 minutes, then a soak of 5,000 episodes
 *     (and 500 abandoned) checking RSS and open browser contexts;
 *  6. the Redis ledger race (4 × 16 workers, 20,000 reservations, one SIGKILLed) and the WebShop
 *     transports' equivalence over 50 heuristic + 50 random + 10 tour episodes.
 * Usage: npm run stress [-- --requests N --sessions N --kills N]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stressLedger } from './stress-ledger.js';
import { stressRedisLedger } from './stress-redis-ledger.js';
import { stressKillResume } from './stress-resume.js';
import { stressServerLoad, stressServerSoak, stressServerTrainers } from './stress-server.js';
import { fuzzPath, fuzzRandom } from '../tests/helpers/route-fuzz.js';
import { startWebShop } from '../fixtures/webshop/server.js';
import { buildWebShopSite } from '../fixtures/webshop/webshop-site.js';

const flag = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const REQUESTS = flag('requests', 20_000);
const SESSIONS = flag('sessions', 5_000);
const KILLS = flag('kills', 20);

const site = await buildWebShopSite();
const running = await startWebShop(site, { port: 0 });
const asin = site.products[0]!.asin;
let failures = 0;

const started = performance.now();
const random = fuzzRandom('stress-fuzz');
const statuses = new Map<number, number>();
for (let i = 0; i < REQUESTS; i += 1) {
  const path = fuzzPath(random, asin);
  const res = await fetch(`${running.url}${path}`, { method: random() < 0.5 ? 'GET' : 'POST', redirect: 'manual' });
  await res.text();
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  if (![200, 302, 400, 404].includes(res.status)) {
    failures += 1;
    console.error(`unexpected ${res.status} for ${path}`);
  }
}
console.log(`fuzz: ${REQUESTS} requests in ${((performance.now() - started) / 1000).toFixed(1)} s, statuses ${JSON.stringify(Object.fromEntries(statuses))}, ${failures} unexpected`);

const heapAt = (): number => {
  globalThis.gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
};
const walk = async (i: number): Promise<void> => {
  const sid = `stress_fixed_${i % site.goals.length}`;
  const goal = site.goals[i % site.goals.length]!;
  const search = await fetch(`${running.url}/${sid}`, { method: 'POST', body: new URLSearchParams({ search_query: goal.query }), redirect: 'manual' });
  const results = await fetch(`${running.url}${search.headers.get('location') ?? '/'}`).then((r) => r.text());
  const first = /href="(\/item_page\/[^"]+)"/.exec(results)?.[1] ?? `/item_page/${sid}/${goal.asin}/x/1/%7B%7D`;
  await fetch(`${running.url}${first.replaceAll('&amp;', '&')}`).then((r) => r.text());
  const done = await fetch(`${running.url}/done/${sid}/${goal.asin}/%7B%7D`);
  if (done.status !== 200) failures += 1;
  await done.text();
};
for (let i = 0; i < 200; i += 1) await walk(i); // warm-up
const heapBefore = heapAt();
const soakStart = performance.now();
for (let i = 0; i < SESSIONS; i += 4) await Promise.all([0, 1, 2, 3].map((k) => walk(i + k)));
const heapAfter = heapAt();
console.log(
  `soak: ${SESSIONS} sessions (4 at a time) in ${((performance.now() - soakStart) / 1000).toFixed(1)} s, ` +
    `heap ${heapBefore.toFixed(1)} → ${heapAfter.toFixed(1)} MiB`,
);
if (heapAfter - heapBefore > 50) {
  failures += 1;
  console.error('heap grew by more than 50 MiB: something accumulates per session');
}
await running.close();

const race = await stressLedger({ processes: 4, workers: 16, reservations: 20_000, cap: 10_000 });
console.log(`ledger: ${race.processes} processes × ${race.workers} workers, ${race.reservations} attempts, cap ${race.cap}: used ${race.used}, granted ${race.granted}, ${race.reservationsPerSecond.toFixed(0)} reservations/s`);
if (!race.ok) failures += 1;
const crash = await stressLedger({ processes: 4, workers: 16, reservations: 12_000, cap: 6_000, killAfterMs: 800 });
console.log(`ledger with a SIGKILL: used ${crash.used} of ${crash.cap}, ${crash.lostInFlight} reservations folded in, killed ${crash.killed}`);
if (!crash.ok) failures += 1;

// The Redis ledger (issue 16): the same race over redis-server, then with one process SIGKILLed.
const redisRace = await stressRedisLedger({ processes: 4, workers: 16, reservations: 20_000, cap: 10_000 });
console.log(`redis ledger: ${redisRace.processes} × ${redisRace.workers}, ${redisRace.reservations} attempts, cap ${redisRace.cap}: used ${redisRace.used}, granted ${redisRace.granted}, max used seen ${redisRace.maxUsedSeen}, ${redisRace.reservationsPerSecond.toFixed(0)} reservations/s`);
if (!redisRace.ok) failures += 1;
// Each reservation held 50 ms (a step), so the SIGKILL most likely lands inside steps and the fold of the dead process's leases is exercised.
const redisCrash = await stressRedisLedger({ processes: 4, workers: 16, reservations: 20_000, cap: 10_000, killAfterMs: 800, stepMs: 50 });
console.log(`redis ledger with a SIGKILL: used ${redisCrash.used} of ${redisCrash.cap} (max seen ${redisCrash.maxUsedSeen}), ${redisCrash.lostInFlight} leases folded in (at most one per worker; 0 is right when the kill found the dead process's commits on the wire: Redis executes what a client sent before it died), reserved ${redisCrash.reserved}, killed ${redisCrash.killed}`);
if (!redisCrash.ok) failures += 1;

const resume = await stressKillResume({ kills: KILLS });
console.log(
  `kill/resume: ${resume.report.kills} SIGKILLs; real steps logged ${resume.report.realLogged}, ledger used ${resume.report.ledger.used} of ${resume.report.ledger.cap}, ` +
    `${resume.report.finishedSlots} episodes finished, ${resume.report.duplicates} repeated, ${resume.report.changed.length} changed, ${resume.report.orphans} orphan lines`,
);
for (const problem of resume.problems) console.error(`kill/resume: ${problem}`);
failures += resume.problems.length;

const load = await stressServerLoad();
console.log(`server load: ${JSON.stringify(load)}`);
if (!load.passed) failures += 1;
const trainers = await stressServerTrainers();
console.log(`server trainers load (128 dream + 8 real, token URL): ${JSON.stringify(trainers)}`);
if (!trainers.passed) failures += 1;
const soak = await stressServerSoak();
console.log(`server soak: RSS ${soak.rssWarmMb.toFixed(0)} → ${soak.rssAfterMb.toFixed(0)} MB, after ${JSON.stringify(soak.after)}`);
if (!soak.passed) failures += 1;

// The transports' equivalence at full size (issue 17): 50 heuristic + 50 random + 10 tour episodes.
const equivalence = spawnSync(process.execPath, [fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url)), 'run', 'tests/webshop-http-transport.test.ts', '-t', 'identical transitions'], {
  cwd: fileURLToPath(new URL('../', import.meta.url)),
  env: { ...process.env, DREAMBRIDGE_EQUIVALENCE_EPISODES: '50' },
  stdio: 'inherit',
});
console.log(`transport equivalence (50 + 50 + 10 episodes): ${equivalence.status === 0 ? 'identical' : 'FAILED'}`);
if (equivalence.status !== 0) failures += 1;

console.log(failures === 0 ? 'stress: passed' : `stress: ${failures} failure(s)`);
process.exit(failures === 0 ? 0 : 1);
