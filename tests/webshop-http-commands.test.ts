import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, waitForExit } from './helpers/cli.js';
import { http } from './helpers/server-client.js';

interface Manifest {
  site: Record<string, unknown>;
  versions: { browser: unknown };
}

/** `serve` and `fidelity` over the http transport: real steps with no browser at all. */
describe('serve and fidelity with --transport http', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dreambridge-http-commands-'));
    const seeds = await runCli(['collect', '--env', 'webshop', '--fixture', '--transport', 'http', '--episodes', '4', '--out', join(dir, 'seeds')]);
    expect(seeds.code, seeds.stderr).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('serve --transport http plays real WebShop episodes over OpenEnv HTTP and records the transport', async () => {
    const served = await startCli(['serve', '--env', 'webshop', '--fixture', '--transport', 'http', '--mode', 'real', '--port', '0', '--out', join(dir, 'serve')], 60_000);
    try {
      const reset = await http(`${served.url}/reset`, { body: { task_id: 1500 } });
      expect(reset).toMatchObject({ status: 200, body: { observation: { source: 'real', page_type: 'search' } } });
      const sessionId = (reset.body as { observation: { session_id: string } }).observation.session_id;
      const search = await http(`${served.url}/step`, { body: { action: { action_str: 'search[hair extensions]' }, session_id: sessionId } });
      expect(search).toMatchObject({ status: 200, body: { observation: { source: 'real', page_type: 'results' } } });
      const clickables = (search.body as { observation: { available_actions: { clickables: string[] } } }).observation.available_actions.clickables;
      const product = clickables.find((c) => /^b0[a-z0-9]{8}$/.test(c));
      expect(product).toBeDefined();
      const item = await http(`${served.url}/step`, { body: { action: { action_str: `click[${product}]` }, session_id: sessionId } });
      expect(item).toMatchObject({ status: 200, body: { observation: { page_type: 'item' } } });
      await http(`${served.url}/close`, { body: { session_id: sessionId } });
    } finally {
      served.child.kill('SIGTERM');
      expect(await waitForExit(served.child)).toEqual({ code: 0, signal: null });
    }
    const manifest = JSON.parse(await readFile(join(dir, 'serve', 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.site).toMatchObject({ transport: 'http' });
    expect(manifest.versions.browser).toBeNull();
    const transitions = (await readFile(join(dir, 'serve', 'transitions.jsonl'), 'utf8')).trim().split('\n');
    expect(transitions).toHaveLength(2);
  }, 120_000);

  it('fidelity --transport http shadows real http steps and reports eps_R and eps_P', async () => {
    const out = join(dir, 'fidelity');
    const result = await runCli(['fidelity', '--env', 'webshop', '--fixture', '--transport', 'http', '--buffer', join(dir, 'seeds'), '--episodes', '3', '--shadow', '2', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/fidelity: eps_R \d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\] over [1-9]\d* steps; eps_P \d\.\d{3}/);
    const fidelity = JSON.parse(await readFile(join(out, 'fidelity.json'), 'utf8')) as { eps_R: { n: number }; eps_P: { n: number } };
    expect(fidelity.eps_R.n).toBeGreaterThan(0);
    expect(fidelity.eps_P.n).toBe(fidelity.eps_R.n);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.site).toMatchObject({ transport: 'http' });
    expect(manifest.versions.browser).toBeNull();
  }, 180_000);
});
