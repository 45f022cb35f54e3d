import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { episodeSchema, transitionSchema } from '../src/protocol/index.js';
import { cliPath, projectRoot, runCli } from './helpers/cli.js';

const tmp = (name: string) => mkdtempSync(join(tmpdir(), `dreambridge-${name}-`));
const jsonl = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** Direct children of a process (Playwright starts Chromium as a child of the CLI). */
const childrenOf = (pid: number): number[] => {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((l) => Number(l.trim()))
      .filter((n) => n > 0);
  } catch {
    return [];
  }
};

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('dreambridge collect', () => {
  it('collects heuristic episodes from the local WebShop into a run directory', async () => {
    const out = join(tmp('collect'), 'run');
    const result = await runCli(['collect', '--env', 'webshop', '--fixture', '--episodes', '4', '--concurrency', '2', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^episodes 4, mean reward \d\.\d{3}, success \d+\.\d%, \d+ steps, \d+ real interactions, [\d.]+ s$/m);
    expect(result.stdout).toContain(`run directory: ${out}`);
    const episodes = jsonl(join(out, 'episodes.jsonl')).map((e) => episodeSchema.parse(e));
    expect(episodes.map((e) => e.task_id).sort()).toEqual(['1500', '1501', '1502', '1503']);
    expect(episodes.every((e) => e.source === 'real' && e.env === 'webshop')).toBe(true);
    const transitions = jsonl(join(out, 'transitions.jsonl')).map((t) => transitionSchema.parse(t));
    for (const e of episodes) {
      const steps = transitions.filter((t) => t.episode_id === e.episode_id);
      expect(steps.map((t) => t.step)).toEqual(steps.map((_, i) => i));
      expect(steps.length).toBe(e.steps);
      expect(steps.every((t) => t.state.url && t.next_state.url)).toBe(true);
    }
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { site: unknown; versions: { browser: string }; policy: unknown };
    expect(manifest.site).toMatchObject({ env: 'webshop', profile_version: expect.any(String), key_version: expect.any(String), fixture: { catalog_hash: expect.any(String) } });
    expect(manifest.versions.browser).toMatch(/chromium/i);
    expect(manifest.policy).toEqual({ name: 'heuristic', kind: 'embedded (no LLM)' });

    // A non-empty run directory is refused unless --resume; --resume skips finished episodes.
    const again = await runCli(['collect', '--env', 'webshop', '--fixture', '--episodes', '4', '--out', out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('RUN_DIR_NOT_EMPTY');
    const resumed = await runCli(['collect', '--env', 'webshop', '--fixture', '--episodes', '5', '--out', out, '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(jsonl(join(out, 'episodes.jsonl')).map((e) => e.task_id)).toEqual([...episodes.map((e) => e.task_id), '1504']);
  });

  it('replays recorded actions and takes explicit goal ranges', async () => {
    const dir = tmp('replay');
    const actions = join(dir, 'actions.json');
    writeFileSync(actions, JSON.stringify(['search[lamp]', 'click[no such thing]', 'click[back to search]']));
    const out = join(dir, 'run');
    const result = await runCli(['collect', '--env', 'webshop', '--fixture', '--policy', 'replay', '--actions', actions, '--goals', '20-21', '--max-steps', '3', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    const transitions = jsonl(join(out, 'transitions.jsonl'));
    expect(transitions.filter((t) => t.task_id === '20').map((t) => t.action)).toEqual(['search[lamp]', 'click[no such thing]', 'click[back to search]']);
    const invalid = transitions.find((t) => t.action === 'click[no such thing]')!;
    expect((invalid.next_state as { last_action_error?: string }).last_action_error).toMatch(/^INVALID_ACTION/);
    expect(jsonl(join(out, 'episodes.jsonl')).map((e) => e.termination)).toEqual(['max_steps', 'max_steps']);
  });

  it('an unreachable --url is a clear error naming it', async () => {
    const result = await runCli(['collect', '--env', 'webshop', '--url', 'http://127.0.0.1:9', '--episodes', '1', '--out', join(tmp('unreachable'), 'run')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error BASE_URL_UNREACHABLE: cannot reach WebShop at http://127.0.0.1:9');
  });

  it('a missing browser is an error with the remedy', async () => {
    const { spawnSync } = await import('node:child_process');
    const result = spawnSync(process.execPath, [cliPath, 'collect', '--env', 'webshop', '--fixture', '--episodes', '1', '--out', join(tmp('nobrowser'), 'run')], {
      cwd: projectRoot,
      encoding: 'utf8',
      env: { ...process.env, DREAMBRIDGE_CHROMIUM: '/nonexistent/chromium', DREAMBRIDGE_LOG_LEVEL: 'warn' },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('error BROWSER_NOT_FOUND');
    expect(result.stderr).toContain('DREAMBRIDGE_CHROMIUM');
  });

  it('SIGINT records episodes in flight as interrupted, flushes files, leaves no Chromium behind', async () => {
    const out = join(tmp('sigint'), 'run');
    const child = spawn(process.execPath, [cliPath, 'collect', '--env', 'webshop', '--fixture', '--episodes', '200', '--concurrency', '2', '--out', out], {
      cwd: projectRoot,
      env: { ...process.env, DREAMBRIDGE_LOG_LEVEL: 'warn' },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Wait until a few episodes are done, noting the browser processes, then interrupt.
    const browserPids = new Set<number>();
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      for (const pid of childrenOf(child.pid!)) browserPids.add(pid);
      try {
        if (jsonl(join(out, 'episodes.jsonl')).length >= 2) break;
      } catch {
        // not created yet
      }
    }
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, stderr).toBe(130);
    const episodes = jsonl(join(out, 'episodes.jsonl')).map((e) => episodeSchema.parse(e));
    expect(episodes.length).toBeLessThan(200);
    expect(episodes.some((e) => e.termination === 'interrupted')).toBe(true);
    const transitions = jsonl(join(out, 'transitions.jsonl'));
    expect(transitions.length).toBeGreaterThan(0);
    expect(browserPids.size).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 500));
    expect([...browserPids].filter(alive)).toEqual([]);
  });
});

describe('dreambridge collect --env webarena', () => {
  it('runs fixture tasks with their oracle into a run directory', async () => {
    const out = join(tmp('webarena'), 'run');
    const result = await runCli(['collect', '--env', 'webarena', '--fixture', '--goals', '0-2', '--concurrency', '2', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^episodes 3, mean reward 1\.000, success 100\.0%/m);
    const episodes = jsonl(join(out, 'episodes.jsonl')).map((e) => episodeSchema.parse(e));
    expect(episodes.map((e) => e.env)).toEqual(['webarena', 'webarena', 'webarena']);
    const transitions = jsonl(join(out, 'transitions.jsonl')).map((t) => transitionSchema.parse(t));
    const last = transitions.filter((t) => t.task_id === '0').at(-1)!;
    expect(last.action).toMatch(/^stop \[/);
    expect(last.info['evaluation']).toMatchObject({ score: 1 });
    expect(last.state.text).toMatch(/^Tab 0 \(current\): /);
  });

  it('fixture webarena prints the sites and exits cleanly on SIGTERM', async () => {
    const { startCli, waitForExit } = await import('./helpers/cli.js');
    const fixture = await startCli(['fixture', 'webarena', '--port', '0']);
    expect(fixture.stdout()).toContain('shopping_admin: http://');
    expect((await fetch(`${fixture.url}/healthz`)).status).toBe(200);
    fixture.child.kill('SIGTERM');
    expect(await waitForExit(fixture.child)).toEqual({ code: 0, signal: null });
  });
});

describe('dreambridge doctor', () => {
  it('passes against the local WebShop', async () => {
    const { startFixture } = await import('./helpers/webshop-fixture.js');
    const fixture = await startFixture({ size: 300 });
    try {
      const result = await runCli(['doctor', '--env', 'webshop', '--url', fixture.url]);
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toContain('conformant: the adapter can drive this site');
      expect(result.stdout).toMatch(/ok {3}purchase: reward element: #reward pre reads [\d.]+/);
    } finally {
      await fixture.running.close();
    }
  });

  it('reports precisely what differs on a deliberately altered page', async () => {
    const { startFixture } = await import('./helpers/webshop-fixture.js');
    const { startProxy } = await import('./helpers/rewriting-proxy.js');
    const fixture = await startFixture({ size: 300 });
    // The done page renames the reward element; results pages use a newer header wording.
    const proxy = await startProxy(fixture.url, {
      rewrite: (url, html) => (url.startsWith('/done/') ? html.replace('id="reward"', 'id="score"').replace('Your score (min 0.0, max 1.0)', 'Score') : html),
    });
    try {
      const result = await runCli(['doctor', '--env', 'webshop', '--url', proxy.url]);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('not conformant');
      expect(result.stdout).toMatch(/FAIL purchase: reward element: no score in "#reward pre"/);
      expect(result.stdout).toMatch(/ok {3}results page: header/);
      const header = await startProxy(fixture.url, {
        rewrite: (url, html) => (url.startsWith('/search_results/') ? html.replace(/Page (\d+) \(Total results: (\d+)\)/, 'Page $1 ($2 results)') : html),
      });
      try {
        const second = await runCli(['doctor', '--env', 'webshop', '--url', header.url]);
        expect(second.code).toBe(1);
        expect(second.stdout).toMatch(/FAIL results page: header: expected "Back to Search \[SEP\] Page 1 \(Total results: N\) \[SEP\] Next >", found "Back to Search \[SEP\] Page 1 \(\d+ results\)/);
      } finally {
        await header.close();
      }
    } finally {
      await proxy.close();
      await fixture.running.close();
    }
  });
});
