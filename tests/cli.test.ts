import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
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

  it('--export-catalog writes WebShop-schema files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dreambridge-export-'));
    const fixture = await startCli(['fixture', 'webshop', '--port', '0', '--size', '50', '--export-catalog', dir]);
    fixture.child.kill('SIGTERM');
    await waitForExit(fixture.child);
    expect(readdirSync(dir).sort()).toEqual(['goals_50.json', 'items_ins_v2_50.json', 'items_shuffle_50.json']);
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

  it('demo (npm start) collects heuristic episodes in Chromium, prints one episode and the summary, and exits', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'dreambridge-demo-')), 'run');
    const result = await runCli(['demo', '--episodes', '3', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('embedded defaults: no LLM configured');
    expect(result.stdout).toMatch(/step 0: search\[.+\]/);
    expect(result.stdout).toMatch(/^episodes 3, mean reward \d\.\d{3}, success/m);
    expect(result.stdout).toContain(`files: ${out}/transitions.jsonl, episodes.jsonl, manifest.json`);
  });
});
