import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runServe, type ServeFlags } from '../cli/serve-run.js';
import { projectRoot, startCli, waitForExit } from './helpers/cli.js';
import { http } from './helpers/server-client.js';
import { DREAM_TASKS, toyTransitionLines } from './helpers/server-dream.js';

const run = promisify(execFile);
const TOKEN = 'cli-test-token-7d1f';

/** A Python with both websockets and requests (Debian: python3-websockets python3-requests), if any. */
const findPython = async (): Promise<string | undefined> => {
  for (const candidate of ['python3', '/usr/bin/python3']) {
    try {
      await run(candidate, ['-c', 'import websockets, requests']);
      return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
};
const python = await findPython();
if (!python) console.log('python examples: skipped (no python3 with the websockets and requests modules; Debian: apt-get install python3-websockets python3-requests)');

describe('dreambridge serve (the CLI)', () => {
  let dir: string;
  let served: Awaited<ReturnType<typeof startCli>>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dreambridge-serve-cli-'));
    await writeFile(join(dir, 'seed.jsonl'), DREAM_TASKS.map(toyTransitionLines).join(''));
    served = await startCli(['serve', '--env', 'webshop', '--fixture', '--port', '0', '--token', TOKEN, '--buffer', join(dir, 'seed.jsonl'), '--out', join(dir, 'run'), '--idle-timeout', '60'], 60_000);
  }, 90_000);
  afterAll(async () => {
    if (served.child.exitCode === null) served.child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('prints where it listens and serves both modes behind the token', async () => {
    expect(served.stdout()).toMatch(/modes real \+ dream \(embedded retrieval model, no LLM\)/);
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await http(`${served.url}/health`)).status).toBe(200);
    expect((await http(`${served.url}/metadata`)).status).toBe(401);
    const auth = { authorization: `Bearer ${TOKEN}` };
    const reset = await http(`${served.url}/reset`, { body: { task_id: 1500, mode: 'dream' }, headers: auth });
    expect(reset).toMatchObject({ status: 200, body: { observation: { source: 'dream', page_type: 'search' } } });
    const sessionId = (reset.body as { observation: { session_id: string } }).observation.session_id;
    const step = await http(`${served.url}/step`, { body: { action: { action_str: 'search[brass desk lamp]' }, session_id: sessionId }, headers: auth });
    expect(step).toMatchObject({ status: 200, body: { observation: { source: 'dream', page_type: 'results' } } });
    await http(`${served.url}/close`, { body: { session_id: sessionId }, headers: auth });
  });

  it.skipIf(!python)('runs the Python examples: an OpenEnv WS episode (real and dream) and an AgentGym HTTP episode', async () => {
    const examples = join(projectRoot, 'examples/python');
    const ws = await run(python!, [join(examples, 'openenv_ws_episode.py'), served.url, '--task', '1500', '--token', TOKEN], { timeout: 60_000 });
    const wsSummary = JSON.parse(ws.stdout.trim().split('\n').at(-1)!) as { steps: number; done: boolean; state: { mode: string } };
    expect(wsSummary).toMatchObject({ done: true, state: { mode: 'real' } });
    expect(ws.stdout).toMatch(/source=real/);
    const dream = await run(python!, [join(examples, 'openenv_ws_episode.py'), served.url, '--task', '1500', '--mode', 'dream', '--token', TOKEN], { timeout: 60_000 });
    expect(dream.stdout).toMatch(/source=dream/);
    const gym = await run(python!, [join(examples, 'agentgym_http_episode.py'), served.url, '--goal', '1501', '--token', TOKEN], { timeout: 60_000 });
    const lines = gym.stdout.trim().split('\n');
    expect(JSON.parse(lines.at(-2)!)).toMatchObject({ done: true });
    expect(JSON.parse(lines.at(-1)!)).toEqual({ closed: true });
  });

  it('exits cleanly on SIGTERM with every episode recorded, the token masked in the manifest', async () => {
    const stillOpen = await http(`${served.url}/reset`, { body: { task_id: 1502 }, headers: { authorization: `Bearer ${TOKEN}` } });
    expect(stillOpen.status).toBe(200);
    served.child.kill('SIGTERM');
    expect(await waitForExit(served.child)).toEqual({ code: 0, signal: null });
    const episodes = (await readFile(join(dir, 'run', 'episodes.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { task_id: string; termination: string });
    expect(episodes.find((e) => e.task_id === '1502')).toMatchObject({ termination: 'interrupted' });
    const manifest = await readFile(join(dir, 'run', 'manifest.json'), 'utf8');
    expect(manifest).not.toContain(TOKEN);
    expect(JSON.parse(manifest)).toMatchObject({ modes: { real: true, dream: true }, server: { token: 'set' } });
  });

  it('refuses a non-loopback bind without --token before starting anything', async () => {
    const flags: ServeFlags = {
      env: 'webshop', fixture: true, mode: 'both', model: 'retrieval', port: 0, host: '0.0.0.0', maxSessions: 4, onBudgetExhausted: 'stop',
      idleTimeout: 60, stepTimeout: 30_000, warmContexts: 0, seed: 0, split: 'train', observation: 'text',
    };
    const saved = process.env['DREAMBRIDGE_TOKEN'];
    delete process.env['DREAMBRIDGE_TOKEN'];
    try {
      await expect(runServe(flags)).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/^refusing to listen on 0\.0\.0\.0 without a token/) });
    } finally {
      if (saved !== undefined) process.env['DREAMBRIDGE_TOKEN'] = saved;
    }
  });
});
