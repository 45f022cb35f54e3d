import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedLlmServer, type ScriptedLlmServer } from '../fixtures/llm/scripted-llm-server.js';
import { runCli } from './helpers/cli.js';

const tmp = (name: string): string => mkdtempSync(join(tmpdir(), `dreambridge-${name}-`));
const jsonl = (file: string): Array<Record<string, unknown>> =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

let llm: ScriptedLlmServer;
let rollouts: string;
let dir: string;

beforeAll(async () => {
  let n = 0;
  llm = await startScriptedLlmServer({ defaultReply: () => `i need a variation number ${(n += 1)} of this product in red, and price lower than 30.00 dollars` });
  dir = tmp('curriculum');
  const seeds = join(dir, 'seeds');
  const collected = await runCli(['collect', '--env', 'webshop', '--fixture', '--episodes', '4', '--concurrency', '2', '--out', seeds]);
  expect(collected.code, collected.stderr).toBe(0);
  // Group rollouts with a random policy give tasks a reward variance to rank by.
  rollouts = join(dir, 'rollouts');
  const run = await runCli(['run', '--env', 'webshop', '--buffer', seeds, '--policy', 'random', '--episodes', '12', '--group', '3', '--out', rollouts]);
  expect(run.code, run.stderr).toBe(0);
}, 180_000);

afterAll(async () => {
  await llm.close();
});

describe('dreambridge curriculum', () => {
  it('varies the highest-variance seeds through the task generator, within the λ cap, and logs seed, variance and task', async () => {
    const out = join(dir, 'next.jsonl');
    const result = await runCli(['curriculum', '--runs', rollouts, '--seeds', '4', '--lambda', '0.25', '--size', '8', '--taskgen', 'openai:scripted', '--taskgen-base-url', llm.url, '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('mode: generate');
    const next = jsonl(out);
    // The pool's 4 seed tasks plus at most floor(λ · size) = 2 variations.
    const synthetic = next.filter((t) => t['origin'] === 'synthetic');
    expect(synthetic.length).toBeGreaterThan(0);
    expect(synthetic.length).toBeLessThanOrEqual(Math.floor(0.25 * 8));
    expect(next.filter((t) => t['origin'] === 'seed')).toHaveLength(4);
    for (const t of synthetic) expect(String(t['instruction'])).toMatch(/^i need a variation number \d+/);
    const log = jsonl(`${out}.log.jsonl`);
    expect(log[0]).toMatchObject({ mode: 'generate', lambda: 0.25, generator: 'openai:scripted' });
    for (const entry of log.slice(1)) expect(typeof entry['variance']).toBe('number');
    // The generator saw the seed instruction it was asked to vary.
    const asked = llm.requests.filter((r) => r.path.endsWith('/chat/completions')).map((r) => r.lastUserMessage);
    expect(asked.length).toBeGreaterThan(0);
    // The next task file runs as it is.
    const again = await runCli(['run', '--env', 'webshop', '--buffer', rollouts, '--task-file', out, '--episodes', '4', '--out', join(dir, 'again')]);
    expect(again.code, again.stderr).toBe(0);
  }, 120_000);

  it('without a task generator only reorders, and says so', async () => {
    const out = join(dir, 'reordered.jsonl');
    const result = await runCli(['curriculum', '--runs', rollouts, '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('mode: reorder-only (no task generator configured)');
    expect(jsonl(out).every((t) => t['origin'] === 'seed')).toBe(true);
  }, 60_000);
});
