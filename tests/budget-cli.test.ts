import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLedger } from '../src/budget/ledger.js';
import { runCli } from './helpers/cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dreambridge-budget-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dreambridge budget', () => {
  it('init creates a ledger; show prints cap, used, reserved and remaining, as text or JSON', async () => {
    const path = join(dir, 'runs', 'ledger.json');
    const init = await runCli(['budget', 'init', '--ledger', path, '--cap', '20']);
    expect(init.code).toBe(0);
    const ledger = await openLedger(path);
    for (let i = 0; i < 3; i += 1) await (await ledger.reserve()).commit();
    await ledger.reserve(); // in flight while the CLI looks
    await ledger.snapshot();

    const [text, json] = await Promise.all([runCli(['budget', 'show', '--ledger', path]), runCli(['budget', 'show', '--ledger', path, '--json'])]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/cap\s+20\n/);
    expect(text.stdout).toMatch(/used\s+3\n/);
    expect(text.stdout).toMatch(/reserved\s+1\n/);
    expect(text.stdout).toMatch(/remaining\s+16\n/);
    expect(JSON.parse(json.stdout)).toMatchObject({ cap: 20, used: 3, reserved: 1, remaining: 16, path });
    await ledger.close();
  });

  it('reset refuses without --yes and changes nothing; with --yes starts over', async () => {
    const path = join(dir, 'reset.json');
    const ledger = await openLedger(path, { cap: 5 });
    for (let i = 0; i < 5; i += 1) await (await ledger.reserve()).commit();
    await ledger.close();
    const before = readFileSync(path, 'utf8');

    const refused = await runCli(['budget', 'reset', '--ledger', path, '--cap', '50']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('without --yes');
    expect(readFileSync(path, 'utf8')).toBe(before);

    const reset = await runCli(['budget', 'reset', '--ledger', path, '--cap', '50', '--yes', '--json']);
    expect(reset.code).toBe(0);
    expect(JSON.parse(reset.stdout)).toMatchObject({ cap: 50, used: 0, reserved: 0, remaining: 50 });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ cap: 50, used: 0 });
  });

  it('reports an invalid or missing ledger with its code and the file', async () => {
    const corrupt = join(dir, 'corrupt.json');
    writeFileSync(corrupt, '{"cap": 5, "used"');
    const missing = join(dir, 'missing.json');
    const [bad, none] = await Promise.all([runCli(['budget', 'show', '--ledger', corrupt]), runCli(['budget', 'show', '--ledger', missing])]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(new RegExp(`^error LEDGER_INVALID: ledger ${corrupt}: not valid JSON`));
    expect(readFileSync(corrupt, 'utf8')).toBe('{"cap": 5, "used"');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`error CONFIG_INVALID: no ledger at ${missing}`);
  });
});
