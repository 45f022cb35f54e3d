import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Episode, Transition } from '../src/protocol/index.js';
import { cliPath, projectRoot } from './helpers/cli.js';
import { startBrowserServers, type TestBrowserServer } from './helpers/browser-servers.js';
import { http } from './helpers/server-client.js';

let servers: TestBrowserServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const tmp = (name: string): string => mkdtempSync(join(tmpdir(), `dreambridge-${name}-`));
const jsonl = <T>(path: string): T[] => {
  try {
    return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);
  } catch {
    return [];
  }
};

interface LogLine {
  msg?: string;
  endpoint?: string;
  endpoints?: Array<{ endpoint: string; contexts: number; downs: number; retries: number; state: string }>;
}

/** The CLI with info logs (the farm's take-outs, returns and per-endpoint counts are info/warn pino lines on stderr). */
const startCli = (args: string[]) => {
  const child = spawn(process.execPath, [cliPath, ...args], { cwd: projectRoot, env: { ...process.env, DREAMBRIDGE_LOG_LEVEL: 'info' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('close', resolve));
  const logs = (): LogLine[] =>
    stderr.split('\n').flatMap((line) => {
      try {
        return [JSON.parse(line) as LogLine];
      } catch {
        return [];
      }
    });
  return { child, exit, stdout: () => stdout, stderr: () => stderr, logs };
};

const until = async (what: string, probe: () => boolean, timeoutMs = 60_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

const farmClosed = (logs: LogLine[]): NonNullable<LogLine['endpoints']> => logs.find((l) => /browser farm closed/.test(l.msg ?? ''))?.endpoints ?? [];
const wsFlags = (list: readonly TestBrowserServer[]): string[] => list.flatMap((s) => ['--browser-ws', s.endpoint]);

describe('runs over a browser farm', () => {
  it('run --schedule real over three browser servers spreads its episodes over all three', async () => {
    servers = await startBrowserServers(3);
    const out = join(tmp('farm-spread'), 'run');
    const run = startCli(['run', '--env', 'webshop', '--fixture', '--schedule', 'real', '--episodes', '12', '--concurrency', '3', ...wsFlags(servers), '--out', out]);
    expect(await run.exit, run.stderr()).toBe(0);
    const episodes = jsonl<Episode>(join(out, 'episodes.jsonl'));
    expect(episodes).toHaveLength(12);
    expect(episodes.every((e) => e.termination === 'done')).toBe(true);
    const stats = farmClosed(run.logs());
    expect(stats.map((s) => s.endpoint)).toEqual(servers.map((s) => s.endpoint));
    // One context per episode, least-loaded first: no endpoint idle, none with more than half.
    expect(stats.reduce((sum, s) => sum + s.contexts, 0)).toBe(12);
    for (const s of stats) {
      expect(s.contexts).toBeGreaterThanOrEqual(2);
      expect(s.contexts).toBeLessThanOrEqual(6);
    }
  }, 180_000);

  it('one browser server killed mid-run: the run finishes on the other, the dead one is retried and comes back', async () => {
    servers = await startBrowserServers(2);
    const [victim] = servers as [TestBrowserServer, TestBrowserServer];
    const out = join(tmp('farm-kill'), 'run');
    const run = startCli(['run', '--env', 'webshop', '--fixture', '--schedule', 'real', '--episodes', '24', '--concurrency', '2', ...wsFlags(servers), '--out', out]);
    try {
      await until('a few real steps', () => jsonl<Transition>(join(out, 'transitions.jsonl')).length >= 4 || run.child.exitCode !== null);
      await victim.kill();
      await until('the endpoint taken out', () => run.logs().some((l) => /taken out/.test(l.msg ?? '') && l.endpoint === victim.endpoint) || run.child.exitCode !== null);
      const episodesAtKill = jsonl<Episode>(join(out, 'episodes.jsonl')).length;
      await victim.restart();
      expect(await run.exit, run.stderr()).toBe(0);
      const episodes = jsonl<Episode>(join(out, 'episodes.jsonl'));
      expect(episodes).toHaveLength(24);
      // Only episodes in flight on the killed browser failed (at most one per worker); the run went on.
      const failed = episodes.filter((e) => e.termination !== 'done');
      expect(failed.length).toBeLessThanOrEqual(2);
      for (const e of failed) expect(e.termination).toBe('error');
      expect(episodes.slice(episodesAtKill + 2).every((e) => e.termination === 'done')).toBe(true);
      // Retried in the background and back before the end: it took contexts again.
      expect(run.logs().some((l) => /back in the farm/.test(l.msg ?? '') && l.endpoint === victim.endpoint)).toBe(true);
      const stats = farmClosed(run.logs());
      expect(stats[0]).toMatchObject({ endpoint: victim.endpoint, state: 'up', downs: 1 });
      expect(stats[0]!.retries).toBeGreaterThanOrEqual(1);
      expect(stats.reduce((sum, s) => sum + s.contexts, 0), JSON.stringify({ stats, failed: failed.map((e) => e.error ?? e.termination) })).toBe(24);
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
    }
  }, 240_000);

  it('every browser server killed mid-run: the run stops with BROWSER_FARM_UNAVAILABLE, the cut episodes interrupted (resumable)', async () => {
    servers = await startBrowserServers(2);
    const out = join(tmp('farm-all-dead'), 'run');
    const run = startCli(['run', '--env', 'webshop', '--fixture', '--schedule', 'real', '--episodes', '40', '--concurrency', '2', ...wsFlags(servers), '--out', out]);
    try {
      await until('a few real steps', () => jsonl<Transition>(join(out, 'transitions.jsonl')).length >= 4 || run.child.exitCode !== null);
      await Promise.all(servers.map((s) => s.kill()));
      expect(await run.exit).toBe(1);
      expect(run.stderr()).toMatch(/error BROWSER_FARM_UNAVAILABLE: all 2 browser endpoints are down/);
      const episodes = jsonl<Episode>(join(out, 'episodes.jsonl'));
      expect(episodes.length).toBeLessThan(40);
      expect(episodes.some((e) => e.termination === 'interrupted' && /BROWSER_FARM_UNAVAILABLE/.test(e.error ?? ''))).toBe(true);
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
    }
  }, 180_000);

  it('every endpoint unreachable at the start: one clear error before any episode', async () => {
    const out = join(tmp('farm-none'), 'run');
    const run = startCli(['run', '--env', 'webshop', '--fixture', '--schedule', 'real', '--episodes', '2', '--browser-ws', 'ws://127.0.0.1:9/a', '--browser-ws', 'ws://127.0.0.1:9/b', '--out', out]);
    expect(await run.exit).toBe(1);
    expect(run.stderr()).toMatch(/error BROWSER_FARM_UNAVAILABLE: no browser endpoint answered: ws:\/\/127\.0\.0\.1:9\/a .*ws:\/\/127\.0\.0\.1:9\/b/);
    expect(jsonl<Episode>(join(out, 'episodes.jsonl'))).toHaveLength(0);
  }, 120_000);

  it('serve over two browser servers: sessions spread, and after one is killed new sessions play on the other', async () => {
    servers = await startBrowserServers(2);
    const [victim] = servers as [TestBrowserServer, TestBrowserServer];
    const serve = startCli(['serve', '--env', 'webshop', '--fixture', '--mode', 'real', '--port', '0', '--warm-contexts', '1', ...wsFlags(servers), '--out', join(tmp('farm-serve'), 'serve')]);
    try {
      await until('the server URL', () => /listening on http:\/\/\S+/.test(serve.stdout()) || serve.child.exitCode !== null);
      const url = /listening on (http:\/\/\S+)/.exec(serve.stdout())?.[1] ?? '';
      expect(url, serve.stderr()).not.toBe('');
      const play = async (): Promise<string> => {
        const reset = await http(`${url}/reset`, { body: { task_id: '1500' } });
        expect(reset.status, JSON.stringify(reset.body)).toBe(200);
        const sessionId = (reset.body as { observation: { session_id: string } }).observation.session_id;
        const step = await http(`${url}/step`, { body: { action: { action_str: 'search[lamp]' }, session_id: sessionId } });
        expect(step.status, JSON.stringify(step.body)).toBe(200);
        return sessionId;
      };
      // Four sessions open at once: two per endpoint.
      const open = [await play(), await play(), await play(), await play()];
      await victim.kill();
      await until('the endpoint taken out', () => serve.logs().some((l) => /taken out/.test(l.msg ?? '') && l.endpoint === victim.endpoint));
      for (const id of open) await http(`${url}/close`, { body: { session_id: id } });
      // New sessions never land on the dead endpoint.
      for (let i = 0; i < 3; i += 1) await http(`${url}/close`, { body: { session_id: await play() } });
      serve.child.kill('SIGTERM');
      expect(await serve.exit).toBe(0);
      const stats = farmClosed(serve.logs());
      expect(stats.map((s) => s.endpoint)).toEqual(servers.map((s) => s.endpoint));
      expect(stats[0]).toMatchObject({ downs: 1, state: 'down' });
      // Both served before the kill (least open first); only the live one after it.
      expect(stats[0]!.contexts).toBeGreaterThanOrEqual(2);
      expect(stats[1]!.contexts).toBeGreaterThanOrEqual(2 + 3);
    } finally {
      if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
    }
  }, 180_000);
});
