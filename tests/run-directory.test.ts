import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codeOf } from '../src/env/code-of.js';
import { RunDirNotEmptyError } from '../src/env/errors.js';
import type { Episode, Observation, Transition } from '../src/protocol/index.js';
import { createRunId, openRunDirectory, runIdPattern, type RunDirectory } from '../src/store/index.js';

const observation: Observation = {
  text: 'WebShop [SEP] Instruction: [SEP] Find me vegan nail polish for home manicure with color: nude beige, and size: 6 count, and price lower than 50.00 dollars [SEP] Search',
  instruction: 'Find me vegan nail polish for home manicure with color: nude beige, and size: 6 count, and price lower than 50.00 dollars',
  url: 'http://127.0.0.1:3000/fixed_1501',
  page_type: 'search',
  available_actions: { has_search_bar: true, clickables: ['search'] },
  source: 'real',
};

const transition = (step: number, episode = 'run-e-1501-0'): Transition => ({
  run_id: 'run-e',
  episode_id: episode,
  task_id: '1501',
  env: 'webshop',
  source: 'real',
  step,
  state: observation,
  action: 'search[vegan nail polish home manicure]',
  next_state: { ...observation, page_type: 'results' },
  reward: 0,
  done: false,
  truncated: false,
  info: { latency_ms: 12, extra: 'kept' },
});

const episode: Episode = {
  run_id: 'run-e',
  episode_id: 'run-e-1501-0',
  task_id: '1501',
  env: 'webshop',
  source: 'real',
  steps: 4,
  total_reward: 1,
  success: true,
  termination: 'done',
  started_at: '2026-11-22T06:15:00.000Z',
  ended_at: '2026-11-22T06:15:02.000Z',
};

let root: string;
const opened: RunDirectory[] = [];
const open = async (dir: string, options?: Parameters<typeof openRunDirectory>[1]): Promise<RunDirectory> => {
  const run = await openRunDirectory(dir, options);
  opened.push(run);
  return run;
};

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'dreambridge-rundir-'));
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((run) => run.close()));
  await rm(root, { recursive: true, force: true });
});

describe('openRunDirectory', () => {
  it('creates a missing directory and accepts an existing empty one', async () => {
    const missing = join(root, 'a', 'b');
    const run = await open(missing);
    expect(run.dir).toBe(missing);
    expect((await readdir(missing)).sort()).toEqual(['episodes.jsonl', 'transitions.jsonl']);
    await mkdir(join(root, 'empty'));
    await expect(open(join(root, 'empty'))).resolves.toBeDefined();
  });

  it('refuses a non-empty directory with RUN_DIR_NOT_EMPTY unless resume', async () => {
    const dir = join(root, 'used');
    await mkdir(dir);
    await writeFile(join(dir, 'notes.txt'), 'x');
    const refused = await open(dir).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RunDirNotEmptyError);
    expect(codeOf(refused)).toBe('RUN_DIR_NOT_EMPTY');
    expect((refused as Error).message).toContain('notes.txt');
    await expect(open(dir, { resume: true })).resolves.toBeDefined();
  });

  it('appends validated lines in call order and reads them back', async () => {
    const run = await open(join(root, 'r'), { fsync: true });
    await Promise.all(Array.from({ length: 50 }, (_, step) => run.appendTransition(transition(step))));
    await run.appendEpisode(episode);
    const read = await run.readTransitions();
    expect(read.map((line) => line.step)).toEqual(Array.from({ length: 50 }, (_, step) => step));
    expect(read[0]).toEqual(transition(0));
    expect(read[0]?.info.extra).toBe('kept');
    expect(await run.readEpisodes()).toEqual([episode]);
    const raw = await readFile(run.paths.transitions, 'utf8');
    expect(raw.endsWith('\n')).toBe(true);
    expect(raw.trim().split('\n').map((line) => JSON.parse(line) as Transition)).toHaveLength(50);
  });

  it('rejects a line that does not match the schema and writes nothing', async () => {
    const run = await open(join(root, 'r'));
    const bad = { ...transition(0), env: 'Amazon Store' } as unknown as Transition;
    await expect(run.appendTransition(bad)).rejects.toThrow(/env/);
    await expect(run.appendEpisode({ ...episode, steps: -1 })).rejects.toThrow();
    expect(await readFile(run.paths.transitions, 'utf8')).toBe('');
    expect(await readFile(run.paths.episodes, 'utf8')).toBe('');
  });

  it('ignores a truncated last line (crash mid-write) and names a corrupt line elsewhere', async () => {
    const run = await open(join(root, 'r'));
    await run.appendTransition(transition(0));
    await run.appendTransition(transition(1));
    const whole = JSON.stringify(transition(2));
    await appendFile(run.paths.transitions, whole.slice(0, whole.length / 2));
    expect((await run.readTransitions()).map((line) => line.step)).toEqual([0, 1]);
    await appendFile(run.paths.episodes, '\0\0\0\0');
    expect(await run.readEpisodes()).toEqual([]);

    await writeFile(run.paths.episodes, `${JSON.stringify(episode)}\n{"broken\n${JSON.stringify(episode)}\n`);
    const corrupt = await run.readEpisodes().catch((error: unknown) => error);
    expect(codeOf(corrupt)).toBe('RUN_FILE_CORRUPT');
    expect((corrupt as Error).message).toMatch(/^episodes\.jsonl:2: not JSON/);
  });

  it('on resume cuts a torn last line off so new lines stay parseable', async () => {
    const dir = join(root, 'r');
    const first = await open(dir);
    await first.appendTransition(transition(0));
    const whole = JSON.stringify(transition(1));
    await appendFile(first.paths.transitions, whole.slice(0, 40));
    await appendFile(first.paths.episodes, JSON.stringify(episode));
    await first.close();

    const resumed = await open(dir, { resume: true });
    await resumed.appendTransition(transition(1));
    await resumed.appendEpisode({ ...episode, episode_id: 'run-e-1501-1' });
    expect((await resumed.readTransitions()).map((line) => line.step)).toEqual([0, 1]);
    expect((await resumed.readEpisodes()).map((line) => line.episode_id)).toEqual(['run-e-1501-0', 'run-e-1501-1']);
  });

  it('writes the manifest atomically (temporary file + rename, nothing left behind)', async () => {
    const run = await open(join(root, 'r'), { fsync: true });
    expect(await run.readManifest()).toBeUndefined();
    const manifest = (seed: number) => ({
      run_id: 'run-m', run_ids: ['run-m'], command: ['dreambridge', 'collect'], created_at: '2026-12-01T00:00:00.000Z', seeds: { seed },
      versions: { dreambridge: '0.1.0', node: 'v20', playwright: '1.65.1', browser: null }, site: { env: 'webshop', profile_version: 'webshop-profile/1' }, models: {},
    });
    await run.writeManifest(manifest(0));
    await run.writeManifest({ ...manifest(1), extra: { kept: true } });
    expect(await run.readManifest()).toEqual({ ...manifest(1), extra: { kept: true } });
    expect((await readdir(run.dir)).sort()).toEqual(['episodes.jsonl', 'manifest.json', 'transitions.jsonl']);
  });

  it('refuses a manifest that does not say how the data was made, naming the missing field', async () => {
    const run = await open(join(root, 'r'));
    const incomplete = { run_id: 'run-m', run_ids: ['run-m'], command: ['dreambridge'], created_at: '2026-12-01T00:00:00.000Z', seeds: {}, site: { env: 'webshop', profile_version: 'p' }, models: {} };
    await expect(run.writeManifest(incomplete as never)).rejects.toThrow(/manifest\.json .* is incomplete: .*versions/s);
    expect(await run.readManifest()).toBeUndefined();
  });

  it('refuses appends after close with ENV_CLOSED', async () => {
    const run = await open(join(root, 'r'));
    await run.close();
    await expect(run.appendEpisode(episode)).rejects.toMatchObject({ code: 'ENV_CLOSED' });
    await run.close();
  });
});

describe('createRunId', () => {
  it('stamps UTC time and a hex suffix', () => {
    expect(createRunId({ now: new Date('2026-11-22T06:15:00Z'), suffix: 'ab12' })).toBe('run-20261122-061500-ab12');
    expect(createRunId()).toMatch(runIdPattern);
    expect(() => createRunId({ suffix: 'XYZ!' })).toThrow(RangeError);
  });
});
