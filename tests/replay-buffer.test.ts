import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunFileCorruptError } from '../src/env/errors.js';
import type { Observation, Transition } from '../src/protocol/index.js';
import { ReplayBuffer, toReplayTransition, type Provenance } from '../src/replay/index.js';
import { openRunDirectory } from '../src/store/index.js';

const observation = (text: string, instruction = 'find vegan nail polish'): Observation => ({
  text,
  instruction,
  url: 'http://127.0.0.1:3000/fixed_1',
  page_type: 'search',
  available_actions: { has_search_bar: true, clickables: ['search'] },
  source: 'real',
});

const transition = (overrides: Partial<Transition> = {}): Transition => ({
  run_id: 'run-a',
  episode_id: 'run-a-1-0',
  task_id: '1',
  env: 'webshop',
  source: 'real',
  step: 0,
  state: observation('WebShop [SEP] Instruction: find vegan nail polish [SEP] Search'),
  action: 'search[vegan nail polish]',
  next_state: observation('results for vegan nail polish'),
  reward: 0,
  done: false,
  truncated: false,
  info: { latency_ms: 3 },
  ...overrides,
});

/** A distinct transition per step number (distinct content too). */
const nth = (step: number, provenance: Provenance, run = 'run-a') =>
  toReplayTransition(transition({ run_id: run, step, action: `click[item ${step}]` }), provenance, `${run}-${step}`);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'replay-buffer-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ReplayBuffer', () => {
  it('round-trips through save and loadJsonl with ids and provenance', async () => {
    const buffer = new ReplayBuffer();
    buffer.appendAll([nth(0, 'offline'), nth(1, 'real'), nth(2, 'dream')]);
    const file = join(dir, 'buffer.jsonl');
    await buffer.save(file);
    expect((await readFile(file, 'utf8')).trim().split('\n')).toHaveLength(3);
    const loaded = new ReplayBuffer();
    expect(await loaded.loadJsonl(file, 'offline')).toBe(3);
    expect([...loaded.values()]).toEqual([...buffer.values()]);
    expect(loaded.get('run-a-2')?.provenance).toBe('dream');
  });

  it('keeps a transition once: same id, same run/episode/step, or same (state, action, next_state) text', () => {
    const buffer = new ReplayBuffer();
    const first = nth(0, 'real');
    expect(buffer.append(first)).toBe(true);
    expect(buffer.append({ ...first })).toBe(false);
    expect(buffer.append({ ...first, id: 'other', action: 'click[different]' })).toBe(false);
    expect(buffer.append({ ...first, id: 'copy', run_id: 'run-b' })).toBe(false);
    expect(buffer.append({ ...first, id: 'new', run_id: 'run-b', action: 'click[new]' })).toBe(true);
    expect(buffer.size).toBe(2);
    expect(buffer.get('run-a-0')).toBe(first);
  });

  it('evicts the oldest dream first, then the oldest overall', () => {
    const buffer = new ReplayBuffer({ maxSize: 3 });
    const evicted: string[] = [];
    buffer.subscribe({ removed: (t) => evicted.push(t.id) });
    buffer.appendAll([nth(0, 'real'), nth(1, 'dream'), nth(2, 'offline'), nth(3, 'dream')]);
    expect(evicted).toEqual(['run-a-1']);
    buffer.append(nth(4, 'real'));
    expect(evicted).toEqual(['run-a-1', 'run-a-3']);
    buffer.append(nth(5, 'real'));
    expect(evicted).toEqual(['run-a-1', 'run-a-3', 'run-a-0']);
    expect([...buffer.values()].map((t) => t.id)).toEqual(['run-a-2', 'run-a-4', 'run-a-5']);
  });

  it('loads a run directory written with openRunDirectory', async () => {
    const run = await openRunDirectory(join(dir, 'run'));
    await run.appendTransition(transition());
    await run.appendTransition(transition({ step: 1, action: 'click[b0001]', state: observation('results page') }));
    await run.appendTransition(transition({ episode_id: 'run-a-2-0', task_id: '2', state: observation('start 2', 'find red shoes') }));
    await run.close();
    const buffer = new ReplayBuffer();
    expect(await buffer.loadRunDirectory(run.dir, 'offline')).toBe(3);
    const t = buffer.get('run-a/run-a-1-0/1');
    expect(t?.provenance).toBe('offline');
    expect(t?.action).toBe('click[b0001]');
    expect(buffer.tasks()).toEqual([
      { task_id: '1', env: 'webshop', instruction: 'find vegan nail polish' },
      { task_id: '2', env: 'webshop', instruction: 'find red shoes' },
    ]);
    expect(buffer.initialStates('1').map((s) => s.text)).toEqual(['WebShop [SEP] Instruction: find vegan nail polish [SEP] Search']);
    expect(buffer.initialStates('2')).toHaveLength(1);
  });

  it('names the file and line of an invalid line', async () => {
    const file = join(dir, 'bad.jsonl');
    await writeFile(file, `${JSON.stringify(transition())}\n{"run_id": 3}\n`);
    await appendFile(file, `${JSON.stringify(transition({ step: 1, action: 'click[x]' }))}\n`);
    const buffer = new ReplayBuffer();
    const error = await buffer.loadJsonl(file, 'offline').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunFileCorruptError);
    expect((error as RunFileCorruptError).message).toMatch(/^bad\.jsonl:2: /);
    expect((error as RunFileCorruptError).details).toMatchObject({ file: 'bad.jsonl', line: 2 });
  });
});
