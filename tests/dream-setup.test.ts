import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebShopProfile } from '../adapters/webshop/webshop-profile.js';
import { createDreamSetup, DEFAULT_BUFFER_MAX } from '../src/dream/dream-setup.js';
import type { Transition } from '../src/protocol/index.js';
import { DREAM_TASKS, toyTransitionLines } from './helpers/server-dream.js';

const profile = createWebShopProfile();
let dir: string;
let seeds: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dreambridge-dream-setup-'));
  seeds = join(dir, 'seeds.jsonl');
  // 3 tasks × 3 recorded real steps = 9 offline transitions.
  await writeFile(seeds, DREAM_TASKS.map(toyTransitionLines).join(''));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A transition of this run with text of its own (so the buffer's dedupe keeps it). */
const served = (source: 'real' | 'dream', n: number): Transition => {
  const state = { text: `page ${source} ${n}`, instruction: 'x', available_actions: { has_search_bar: true, clickables: [] }, source };
  return { run_id: 'serve', episode_id: `${source}-${n}`, task_id: '1500', env: 'webshop', source, step: 1, state, action: 'search[x]', next_state: state, reward: 0, done: false, truncated: false, info: { latency_ms: 1 } };
};

describe('createDreamSetup: bounded memory', () => {
  it('forgets a dream env once it is closed, so a long-running server holds only the open ones', async () => {
    const setup = await createDreamSetup({ env: 'webshop', profile, buffers: [seeds] });
    const envs = await Promise.all([1, 2, 3].map(() => setup.factory.create()));
    expect(setup.openEnvs).toBe(3);
    await envs[0]!.close();
    await envs[0]!.close();
    await envs[1]!.close();
    expect(setup.openEnvs).toBe(1);
    await setup.factory.close();
    expect(setup.openEnvs).toBe(0);
    await setup.close();
  });

  it('caps the buffer at DEFAULT_BUFFER_MAX unless --buffer-max says otherwise, and records the cap in the manifest', async () => {
    const setup = await createDreamSetup({ env: 'webshop', profile, buffers: [seeds] });
    expect(setup.buffer.maxSize).toBe(DEFAULT_BUFFER_MAX);
    expect(DEFAULT_BUFFER_MAX).toBe(100_000);
    expect(setup.manifest['buffer']).toMatchObject({ max: 100_000, transitions: 9 });
    await setup.close();
  });

  it('past the cap evicts the oldest served dream transition first, then the oldest overall', async () => {
    const setup = await createDreamSetup({ env: 'webshop', profile, buffers: [seeds], bufferMax: 11 });
    for (let n = 0; n < 3; n += 1) setup.record(served('dream', n));
    // 9 seeds + 3 dreams > 11: dream 0 went.
    expect(setup.buffer.size).toBe(11);
    expect(setup.buffer.has('serve/dream-0/1')).toBe(false);
    expect(setup.buffer.has('serve/dream-1/1')).toBe(true);
    setup.record(served('real', 0));
    setup.record(served('real', 1));
    // Two more: both remaining dreams go before any seed or real transition.
    expect([...setup.buffer.values()].filter((t) => t.provenance === 'dream')).toEqual([]);
    expect([...setup.buffer.values()].filter((t) => t.provenance === 'offline')).toHaveLength(9);
    setup.record(served('real', 2));
    // No dream left: the oldest overall (the first seed) goes.
    expect(setup.buffer.size).toBe(11);
    expect(setup.buffer.has('seed/seed-1500/0')).toBe(false);
    expect(setup.buffer.has('serve/real-2/1')).toBe(true);
    await setup.close();
  });

  it('refuses a cap below 1 as CONFIG_INVALID', async () => {
    await expect(createDreamSetup({ env: 'webshop', profile, buffers: [seeds], bufferMax: 0 })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
