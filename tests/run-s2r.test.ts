import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { slotOfEpisode } from '../harness/run-plan/run-resume.js';
import { runCli } from './helpers/cli.js';
import { killAndResume, readEpisodeLines, readLedger, readTransitions } from './helpers/kill-resume.js';

const tmp = (name: string): string => mkdtempSync(join(tmpdir(), `dreambridge-${name}-`));
const transitions = readTransitions;
const episodes = readEpisodeLines;
const ledger = readLedger;

let seeds: string;

beforeAll(async () => {
  seeds = join(tmp('s2r-seeds'), 'run');
  const collected = await runCli(['collect', '--env', 'webshop', '--fixture', '--episodes', '6', '--concurrency', '2', '--out', seeds]);
  expect(collected.code, collected.stderr).toBe(0);
}, 120_000);

describe('dreambridge run: schedules and the real budget', () => {
  it('s2r: dream first, then real until the cap, which is never overspent; stopping on the cap is a normal finish', async () => {
    const dir = tmp('s2r');
    const out = join(dir, 'run');
    const ledgerFile = join(dir, 'ledger.json');
    const result = await runCli([
      'run', '--env', 'webshop', '--fixture', '--schedule', 's2r', '--dream-episodes', '2', '--episodes', '8', '--real-cap', '7', '--ledger', ledgerFile,
      '--buffer', seeds, '--concurrency', '2', '--out', out,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const steps = transitions(out);
    const real = steps.filter((t) => t.source === 'real');
    // Heuristic episodes take 3–5 steps: 6 real episodes would need far more than 7.
    expect(real).toHaveLength(7);
    expect(ledger(ledgerFile)).toMatchObject({ cap: 7, used: 7, reserved: 0 });
    expect(result.stdout).toContain('real budget: 7 used of 7 (0 reserved, 0 left) — exhausted');
    const eps = episodes(out);
    const bySlot = new Map(eps.map((e) => [slotOfEpisode(e.episode_id), e]));
    expect(bySlot.get(0)?.source).toBe('dream');
    expect(bySlot.get(1)?.source).toBe('dream');
    expect(eps.filter((e) => e.source === 'real').length).toBeGreaterThan(0);
    expect(eps.some((e) => e.termination === 'budget' && /REAL_BUDGET_EXHAUSTED/.test(e.error ?? ''))).toBe(true);
    // Nothing started after the cap was seen: fewer than 8 episodes. An episode that started while
    // the other one in flight (concurrency 2) spent the last interactions is cut at its first step:
    // at most one such, and it ends `budget`.
    expect(eps.length).toBeLessThan(8);
    const empty = eps.filter((e) => e.source === 'real' && e.steps === 0);
    expect(empty.length).toBeLessThanOrEqual(1);
    for (const e of empty) expect(e.termination).toBe('budget');

    // The same ledger is spent: a second run gets no real step at all.
    const again = await runCli(['run', '--env', 'webshop', '--fixture', '--schedule', 'real', '--episodes', '2', '--ledger', ledgerFile, '--out', join(dir, 'again')]);
    expect(again.code, again.stderr).toBe(0);
    expect(transitions(join(dir, 'again')).filter((t) => t.source === 'real')).toHaveLength(0);
    expect(ledger(ledgerFile).used).toBe(7);
  }, 120_000);

  it('mix:P with --on-budget-exhausted dream runs every episode, the real ones capped and the rest dreamed', async () => {
    const dir = tmp('mix');
    const out = join(dir, 'run');
    const result = await runCli([
      'run', '--env', 'webshop', '--fixture', '--schedule', 'mix:0.6', '--episodes', '10', '--real-cap', '5', '--on-budget-exhausted', 'dream',
      '--buffer', seeds, '--concurrency', '2', '--out', out,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(episodes(out)).toHaveLength(10);
    expect(transitions(out).filter((t) => t.source === 'real').length).toBeLessThanOrEqual(5);
    expect(episodes(out).filter((e) => e.source === 'dream').length).toBeGreaterThan(0);
    expect(result.stdout).toMatch(/real budget: 5 used of 5/);
  }, 120_000);

  it('resumes after SIGKILL at random points: never over the cap, the ledger agrees with the log, no finished episode lost or repeated', async () => {
    const dir = tmp('kill');
    const out = join(dir, 'run');
    const ledgerFile = join(dir, 'ledger.json');
    const cap = 24;
    const realConcurrency = 2;
    const episodesPlanned = 14;
    const args = ['run', '--env', 'webshop', '--fixture', '--schedule', 's2r', '--dream-episodes', '3', '--episodes', String(episodesPlanned), '--real-cap', String(cap), '--ledger', ledgerFile,
      '--buffer', seeds, '--concurrency', '2', '--real-concurrency', String(realConcurrency), '--out', out];
    const report = await killAndResume(args, out, ledgerFile, 3);
    expect(report.kills).toBeGreaterThanOrEqual(2);
    expect(report.exitCode, report.stderr).toBe(0);
    for (const real of report.realAfterKill) expect(real).toBeLessThanOrEqual(cap);
    expect(report.realLogged).toBeLessThanOrEqual(cap);
    expect(report.ledger.reserved).toBe(0);
    // Spent = logged + what was in flight when a process died (at most real concurrency per kill).
    expect(report.ledger.used).toBeGreaterThanOrEqual(report.realLogged);
    expect(report.ledger.used - report.realLogged).toBeLessThanOrEqual(report.kills * realConcurrency);
    expect(report.changed).toEqual([]);
    expect(report.duplicates).toBe(0);
    expect(report.orphans).toBe(0);
    // Either every slot finished, or the run stopped on the spent budget.
    if (report.finishedSlots < episodesPlanned) expect(report.ledger.used + report.ledger.reserved).toBe(cap);
  }, 400_000);
});
