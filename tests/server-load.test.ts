import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runServe, type ServeHandle } from '../cli/serve-run.js';
import { DREAM_TASKS, toyTransitionLines } from './helpers/server-dream.js';
import { runLoad, runSoak } from './helpers/server-load.js';

const REAL_TASKS = [1500, 1501, 1502, 1503];
const DREAM_IDS = DREAM_TASKS.map((t) => t.task_id);

const waitFor = async (check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> => {
  const end = Date.now() + timeoutMs;
  while (!(await check()) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
};

// Sized down for `npm test`; the full sizes (32 dream + 4 real for 2 min; 5,000 + 500 episodes)
// run in `npm run stress` (scripts/stress-server.ts) with the server in its own process. Both go
// through `runServe`, the wiring `dreambridge serve --fixture --buffer SEEDS` builds.
// The reaper logs every idle session at info: keep the test output readable.
process.env['DREAMBRIDGE_LOG_LEVEL'] ??= 'warn';

describe('environment server: load and soak (sized down, the CLI wiring)', () => {
  let dir: string;
  let served: ServeHandle;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dreambridge-server-load-'));
    await writeFile(join(dir, 'seeds.jsonl'), DREAM_TASKS.map(toyTransitionLines).join(''));
    served = await runServe(
      {
        env: 'webshop', fixture: true, mode: 'both', model: 'retrieval', buffer: [join(dir, 'seeds.jsonl')], port: 0, host: '127.0.0.1', maxSessions: 64,
        onBudgetExhausted: 'stop', idleTimeout: 1, stepTimeout: 30_000, warmContexts: 2, out: join(dir, 'run'), seed: 0, split: 'train', observation: 'text',
      },
      { handleSignals: false },
    );
  }, 60_000);
  afterAll(async () => {
    await served.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves 8 dream + 1 real concurrent sessions for 5 s with zero protocol errors', async () => {
    const report = await runLoad({ url: served.server.url, dreamSessions: 8, realSessions: 1, durationMs: 5_000, dreamTasks: DREAM_IDS, realTasks: REAL_TASKS });
    console.log(
      `load: ${report.sessions} sessions, ${report.requests} requests, ${report.episodes} episodes in ${(report.durationMs / 1000).toFixed(1)} s; ` +
        `dream step p50 ${report.dream.p50.toFixed(2)} ms p99 ${report.dream.p99.toFixed(2)} ms; real step p50 ${report.real.p50.toFixed(0)} ms p99 ${report.real.p99.toFixed(0)} ms`,
    );
    expect(report.examples).toEqual([]);
    expect(report.protocolErrors).toBe(0);
    expect(report.dream.steps).toBeGreaterThan(20);
    expect(report.real.steps).toBeGreaterThan(0);
    // Every request is a reset or a step, and every one was answered.
    expect(report.requests).toBe(report.dream.steps + report.real.steps + report.resets.count);
  });

  it('soaks 200 + 8 real short episodes with 28 abandoned sessions: nothing left open, no context or dream env leaked, memory flat', async () => {
    // The load test's last episodes end as their connections close: let them finish first.
    await waitFor(() => served.server.manager.size === 0, 15_000);
    const before = (await served.runDir.readEpisodes()).length;
    const reapedBefore = served.server.manager.reapedCount;
    let warmRss = 0;
    const dream = await runSoak({ url: served.server.url, episodes: 200, abandoned: 24, tasks: DREAM_IDS, onWarm: () => void (warmRss = process.memoryUsage().rss) });
    const realSoak = await runSoak({ url: served.server.url, episodes: 8, abandoned: 4, concurrency: 2, mode: 'real', tasks: REAL_TASKS, warmup: 1 });
    expect([...dream.examples, ...realSoak.examples]).toEqual([]);
    expect(dream.failures + realSoak.failures).toBe(0);
    // Abandoned AgentGym and HTTP sessions go when the reaper finds them idle (1 s here).
    // Closing is asynchronous (episode line, then the env's context): wait for all of it.
    const closedNow = async (): Promise<number> => (await served.runDir.readEpisodes()).slice(before).filter((e) => e.termination === 'closed').length;
    await waitFor(async () => served.server.manager.size === 0 && served.real!.openContexts!() === 0 && served.dream!.openEnvs === 0 && (await closedNow()) >= 236, 15_000);
    expect(served.server.manager.size).toBe(0);
    expect(served.real!.openContexts!()).toBe(0);
    expect(served.dream!.openEnvs).toBe(0);
    expect(served.server.connections()).toBe(0);
    // Of each 3 abandoned sessions one is a dropped WS connection (closed at once), two wait for
    // the reaper (an AgentGym env, an HTTP session): 24 dream → 16, 4 real (i = 0..3) → 2.
    expect(served.server.manager.reapedCount - reapedBefore).toBe(18);
    const episodes = (await served.runDir.readEpisodes()).slice(before);
    // Every episode and every abandoned session ends as exactly one `closed` episode line.
    expect(episodes).toHaveLength(200 + 8 + 24 + 4);
    expect(episodes.filter((e) => e.termination === 'closed')).toHaveLength(236);
    expect(episodes.filter((e) => e.source === 'real')).toHaveLength(8 + 4);
    const grownMb = (process.memoryUsage().rss - warmRss) / 2 ** 20;
    console.log(`soak: ${dream.episodes}+${realSoak.episodes} episodes, ${dream.abandoned + realSoak.abandoned} abandoned, ${(dream.durationMs / 1000).toFixed(1)} s; RSS ${grownMb >= 0 ? '+' : ''}${grownMb.toFixed(1)} MB since warm-up; buffer ${served.dream!.buffer.size} transitions`);
    expect(grownMb).toBeLessThan(50);
  });
});
