import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { episodeSchema, transitionSchema } from '../src/protocol/index.js';
import { runCli } from './helpers/cli.js';

const jsonl = (file: string): unknown[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as unknown);

describe('dreambridge run --env webarena', () => {
  it('runs s2r on the WebArena-style sites: dreamed accessibility trees, then real episodes by the oracle under the cap, shadowed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dreambridge-run-webarena-'));
    const seeds = join(dir, 'seeds');
    const collected = await runCli(['collect', '--env', 'webarena', '--fixture', '--episodes', '4', '--out', seeds]);
    expect(collected.code, collected.stderr).toBe(0);
    const out = join(dir, 'run');
    const result = await runCli([
      'run', '--env', 'webarena', '--fixture', '--schedule', 's2r', '--dream-episodes', '2', '--episodes', '5', '--real-cap', '12',
      '--buffer', seeds, '--shadow', '2', '--concurrency', '2', '--out', out,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const transitions = jsonl(join(out, 'transitions.jsonl')).map((l) => transitionSchema.parse(l));
    const episodes = jsonl(join(out, 'episodes.jsonl')).map((l) => episodeSchema.parse(l));
    expect(transitions.every((t) => t.env === 'webarena')).toBe(true);
    const real = transitions.filter((t) => t.source === 'real');
    // 5 episodes, the first 2 dreamed: 3 real ones, each finished by the oracle within the cap.
    const realEpisodes = episodes.filter((e) => e.source === 'real');
    expect(realEpisodes.map((e) => e.termination)).toEqual(['done', 'done', 'done']);
    // The cap is exact: every real step is one transition line and one interaction in the ledger.
    expect(real.length).toBe(realEpisodes.reduce((n, e) => n + e.steps, 0));
    expect(real.length).toBeLessThanOrEqual(12);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
      site: { env: string };
      policy: { name: string };
      result: { real_interactions: number; budget: { cap: number; used: number; reserved: number; remaining: number } };
    };
    expect(manifest.result.real_interactions).toBe(real.length);
    expect(manifest.result.budget).toMatchObject({ cap: 12, used: real.length, reserved: 0, remaining: 12 - real.length });
    expect(result.stdout).toContain(`${real.length} real interactions`);
    expect(result.stdout).toContain(`real budget: ${real.length} used of 12 (0 reserved, ${12 - real.length} left)`);
    // Every real step was shadowed: one shadow line each.
    expect(jsonl(join(out, 'shadow.jsonl'))).toHaveLength(real.length);
    // Dreamed WebArena states are read by the WebArena profile: actionable ids, not WebShop clickables.
    for (const t of transitions.filter((x) => x.source === 'dream')) expect('ids' in t.next_state.available_actions).toBe(true);
    expect(result.stdout).toMatch(/fidelity: eps_R \d\.\d{3} \[/);
    expect(manifest.site.env).toBe('webarena');
    expect(manifest.policy.name).toBe('oracle');
  }, 180_000);
});
