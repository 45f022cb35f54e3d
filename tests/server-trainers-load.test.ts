import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runServe, type ServeHandle } from '../cli/serve-run.js';
import { DREAM_TASKS, toyTransitionLines } from './helpers/server-dream.js';
import { runLoad } from './helpers/server-load.js';

const TOKEN = 'load-token';
process.env['DREAMBRIDGE_LOG_LEVEL'] ??= 'warn';

// The trainers' scenario sized down for `npm test`: `npm run stress` runs 128 dream + 8 real for
// 2 minutes (scripts/stress-server.ts, stressServerTrainers) the same way, through the token URL.
describe('environment server: many dream sessions beside a few real ones, through the token URL (sized down)', () => {
  let dir: string;
  let served: ServeHandle;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dreambridge-trainers-load-'));
    await writeFile(join(dir, 'seeds.jsonl'), DREAM_TASKS.map(toyTransitionLines).join(''));
    served = await runServe(
      {
        env: 'webshop', fixture: true, mode: 'both', model: 'retrieval', buffer: [join(dir, 'seeds.jsonl')], port: 0, host: '127.0.0.1', maxSessions: 1024, maxRealSessions: 2,
        token: TOKEN, onBudgetExhausted: 'stop', idleTimeout: 300, stepTimeout: 30_000, warmContexts: 2, out: join(dir, 'run'), seed: 0, split: 'train', observation: 'text',
      },
      { handleSignals: false },
    );
  }, 60_000);
  afterAll(async () => {
    await served.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves 24 dream + 2 real concurrent sessions for 6 s with zero protocol errors', async () => {
    const report = await runLoad({ url: `${served.server.url}/t/${TOKEN}`, dreamSessions: 24, realSessions: 2, durationMs: 6_000, dreamTasks: DREAM_TASKS.map((t) => t.task_id), realTasks: [1500, 1501] });
    expect(report.examples).toEqual([]);
    expect(report.protocolErrors).toBe(0);
    expect(report.dream.steps).toBeGreaterThan(24);
    expect(report.real.steps).toBeGreaterThan(0);
    expect(report.requests).toBe(report.dream.steps + report.real.steps + report.resets.count);
    // Every connection closed: every slot free again, no browser context held.
    const end = Date.now() + 10_000;
    while ((served.server.manager.size > 0 || served.server.limits.realSessions > 0) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(served.server.manager.size).toBe(0);
    expect(served.server.limits.realSessions).toBe(0);
  }, 60_000);
});
