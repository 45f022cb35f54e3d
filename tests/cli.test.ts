import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startCli, waitForExit } from './helpers/cli.js';

describe('dreambridge CLI', () => {
  it('has --help on every command', async () => {
    for (const args of [['--help'], ['demo', '--help'], ['collect', '--help'], ['doctor', '--help'], ['fixture', '--help'], ['fixture', 'webshop', '--help']]) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stdout).toContain('Usage: dreambridge');
    }
    const help = await runCli(['fixture', 'webshop', '--help']);
    for (const flag of ['--port', '--host', '--products', '--instructions', '--human-instructions', '--seed', '--size', '--attrs', '--export-catalog']) {
      expect(help.stdout).toContain(flag);
    }
  });

  it('fixture webshop prints its URL and split sizes, serves, and exits cleanly on SIGTERM and SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const fixture = await startCli(['fixture', 'webshop', '--port', '0', '--size', '1000']);
      expect(fixture.stdout()).toMatch(/1000 products \(generated, seed 0\), \d+ goals \(test 500, eval 1000, train \d+\)/);
      const page = await fetch(`${fixture.url}/fixed_0`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('id="search_input"');
      fixture.child.kill(signal);
      expect(await waitForExit(fixture.child)).toEqual({ code: 0, signal: null });
    }
  });

  it('--export-catalog writes WebShop-schema files and exits, serving nothing (a busy port does not matter)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dreambridge-export-'));
    const busy = createServer(() => undefined);
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = String((busy.address() as AddressInfo).port);
    try {
      const result = await runCli(['fixture', 'webshop', '--port', port, '--size', '50', '--export-catalog', dir]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).not.toContain('listening');
    } finally {
      busy.close();
    }
    expect(readdirSync(dir).sort()).toEqual(['goals_50.json', 'items_ins_v2_50.json', 'items_shuffle_50.json']);
    // WebShop holds budgets as floats: 70.0, never 70.
    const goals = readFileSync(join(dir, 'goals_50.json'), 'utf8');
    expect(goals).toMatch(/"price_upper": \d+\.\d+[,}]/);
    expect(goals).not.toMatch(/"price_upper": (?!1000000[,}])\d+[,}]/);
  });

  it('a malformed catalogue file is one clear error naming the file, exit code 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dreambridge-bad-'));
    const products = join(dir, 'items_shuffle_1000.json');
    const instructions = join(dir, 'items_ins_v2_1000.json');
    writeFileSync(products, '[{"asin": "B0X"');
    writeFileSync(instructions, '{}');
    const result = await runCli(['fixture', 'webshop', '--port', '0', '--products', products, '--instructions', instructions]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error CATALOG_INVALID: ${products}: is not valid JSON`);
    expect(result.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  it('rejects bad flag values with the value named', async () => {
    const result = await runCli(['fixture', 'webshop', '--port', 'eighty']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('"eighty" is not an integer');
  });

  it('demo (npm start): real seeds, dream episodes on held-out goals, a shadowed real run with eps_R and eps_P, then exits', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'dreambridge-demo-')), 'demo');
    const result = await runCli(['demo', '--episodes', '4', '--dream-episodes', '4', '--fidelity-episodes', '2', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('embedded defaults, no LLM configured');
    expect(result.stdout).toContain('retrieval lookup table');
    expect(result.stdout).toMatch(/step 0: search\[.+\]/);
    // Every real step is one real interaction: each real summary's count equals its steps and the
    // transition lines of its run directory; the dream run spends none.
    const transitionLines = (dir: string): number => readFileSync(join(out, dir, 'transitions.jsonl'), 'utf8').split('\n').filter(Boolean).length;
    const realSummary = (episodes: number): { steps: number; interactions: number } => {
      const match = new RegExp(`^ {2}real: {2}episodes ${episodes}, mean reward \\d\\.\\d{3}, success \\d+\\.\\d%, (\\d+) steps, (\\d+) real interactions, `, 'm').exec(result.stdout);
      expect(match, result.stdout).not.toBeNull();
      return { steps: Number(match![1]), interactions: Number(match![2]) };
    };
    const seeds = realSummary(4);
    expect(seeds.steps).toBeGreaterThanOrEqual(4);
    expect(seeds).toEqual({ steps: transitionLines('seeds'), interactions: transitionLines('seeds') });
    const shadowed = realSummary(2);
    expect(shadowed).toEqual({ steps: transitionLines('fidelity'), interactions: transitionLines('fidelity') });
    expect(result.stdout).toMatch(/^ {2}dream: episodes 4, mean reward \d\.\d{3}, success \d+\.\d%, [1-9]\d* steps, 0 real interactions, /m);
    expect(result.stdout).toMatch(/eps_R \(reward error\) +\d\.\d{3} {2}95% CI \[\d\.\d{3}, \d\.\d{3}\] over \d+ steps/);
    expect(result.stdout).toMatch(/eps_P \(transition error\) \d\.\d{3} {2}95% CI/);
    expect(result.stdout).toContain(`report: ${out}/fidelity/report.html`);
    const fidelity = JSON.parse(readFileSync(join(out, 'fidelity', 'fidelity.json'), 'utf8')) as { eps_R: { n: number }; eps_P: { n: number } };
    expect(fidelity.eps_R.n).toBeGreaterThan(0);
    expect(fidelity.eps_P.n).toBe(fidelity.eps_R.n);
  }, 120_000);
});
