import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDreamFactory, createToyWebShopModel, DREAM_TASKS } from './helpers/server-dream.js';
import { runLoad, runSoak } from './helpers/server-load.js';
import { openRealWebShop, startRealServer } from './helpers/server-real.js';

type Real = Awaited<ReturnType<typeof openRealWebShop>>;
const REAL_TASKS = [1500, 1501, 1502, 1503];
const DREAM_IDS = DREAM_TASKS.map((t) => t.task_id);

const waitFor = async (check: () => boolean, timeoutMs: number): Promise<void> => {
  const end = Date.now() + timeoutMs;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
};

// Sized down for `npm test`; the full sizes (32 dream + 4 real for 2 min; 5,000 + 500 episodes)
// run in `npm run stress` (scripts/stress-server.ts) with the server in its own process.
describe('environment server: load and soak (sized down)', () => {
  let real: Real;
  let t: Awaited<ReturnType<typeof startRealServer>>;
  beforeAll(async () => {
    real = await openRealWebShop({ warmContexts: 2 });
    t = await startRealServer(real.source, { dream: { factory: createDreamFactory(createToyWebShopModel()), tasks: () => DREAM_TASKS }, idleTimeoutMs: 1_000 });
  });
  afterAll(async () => {
    await t.stop();
    await real.close();
  });

  it('serves 8 dream + 1 real concurrent sessions for 5 s with zero protocol errors', async () => {
    const report = await runLoad({ url: t.server.url, dreamSessions: 8, realSessions: 1, durationMs: 5_000, dreamTasks: DREAM_IDS, realTasks: REAL_TASKS });
    console.log(
      `load: ${report.sessions} sessions, ${report.requests} requests, ${report.episodes} episodes in ${(report.durationMs / 1000).toFixed(1)} s; ` +
        `dream step p50 ${report.dream.p50.toFixed(2)} ms p99 ${report.dream.p99.toFixed(2)} ms; real step p50 ${report.real.p50.toFixed(0)} ms p99 ${report.real.p99.toFixed(0)} ms`,
    );
    expect(report.examples).toEqual([]);
    expect(report.protocolErrors).toBe(0);
    expect(report.dream.steps).toBeGreaterThan(20);
    expect(report.real.steps).toBeGreaterThan(0);
  });

  it('soaks 200 + 8 real short episodes with 28 abandoned sessions: nothing left open, no context leaked, memory flat', async () => {
    let warmRss = 0;
    const dream = await runSoak({ url: t.server.url, episodes: 200, abandoned: 24, tasks: DREAM_IDS, onWarm: () => void (warmRss = process.memoryUsage().rss) });
    const realSoak = await runSoak({ url: t.server.url, episodes: 8, abandoned: 4, concurrency: 2, mode: 'real', tasks: REAL_TASKS, warmup: 1 });
    expect([...dream.examples, ...realSoak.examples]).toEqual([]);
    // Abandoned AgentGym and HTTP sessions go when the reaper finds them idle (1 s here).
    // Closing is asynchronous (episode line, then the env's context): wait for all of it.
    let closedEpisodes = 0;
    const countClosed = async () => (closedEpisodes = (await t.runDir.readEpisodes()).filter((e) => e.termination === 'closed').length);
    await waitFor(() => (void countClosed(), t.server.manager.size === 0 && real.source.openContexts!() === 0 && closedEpisodes >= 236), 15_000);
    expect(t.server.manager.size).toBe(0);
    expect(real.source.openContexts!()).toBe(0);
    expect(t.server.manager.reapedCount).toBeGreaterThanOrEqual(2);
    expect(t.server.connections()).toBe(0);
    const grownMb = (process.memoryUsage().rss - warmRss) / 2 ** 20;
    console.log(`soak: ${dream.episodes}+${realSoak.episodes} episodes, ${dream.abandoned + realSoak.abandoned} abandoned, ${(dream.durationMs / 1000).toFixed(1)} s; RSS ${grownMb >= 0 ? '+' : ''}${grownMb.toFixed(1)} MB since warm-up`);
    expect(grownMb).toBeLessThan(50);
    expect(await countClosed()).toBeGreaterThanOrEqual(200 + 8 + 28);
  });
});
