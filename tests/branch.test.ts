import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createWebShopProfile } from '../adapters/webshop/webshop-profile.js';
import { branchStateLineSchema, type BranchStateLine } from '../harness/branch/branch-state-line.js';
import type { BranchReport } from '../harness/branch/branch-report.js';
import type { Transition } from '../src/protocol/index.js';
import { runManifestSchema } from '../src/store/run-manifest.js';
import { runCli } from './helpers/cli.js';
import { killAndResume, readLedger, readTransitions } from './helpers/kill-resume.js';

const tmp = (name: string): string => mkdtempSync(join(tmpdir(), `dreambridge-${name}-`));
const stateLines = (dir: string): BranchStateLine[] =>
  readFileSync(join(dir, 'branch-states.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => branchStateLineSchema.parse(JSON.parse(l)));
const report = (dir: string): BranchReport => JSON.parse(readFileSync(join(dir, 'branch-report.json'), 'utf8')) as BranchReport;
interface BranchInfo { of_episode: string; of_step: number; expert_action: string; replay: string }
const branchOf = (t: Transition): BranchInfo | undefined => t.info['branch'] as BranchInfo | undefined;
const profile = createWebShopProfile();
const identity = (a: string): string => {
  const p = profile.parseAction(a);
  return p.ok ? `${p.name}[${p.arg}]` : a;
};

let seeds: string;

beforeAll(async () => {
  seeds = join(tmp('branch-seeds'), 'run');
  const collected = await runCli(['collect', '--env', 'webshop', '--fixture', '--episodes', '20', '--concurrency', '4', '--out', seeds]);
  expect(collected.code, collected.stderr).toBe(0);
}, 180_000);

describe('dreambridge branch (Early Experience on real sites)', () => {
  it('branches 20 heuristic WebShop episodes with K = 3: only verified replays, alternatives distinct from the expert and each other', async () => {
    const out = join(tmp('branch-webshop'), 'run');
    const result = await runCli(['branch', '--env', 'webshop', '--fixture', '--from', seeds, '--k', '3', '--concurrency', '4', '--out', out], { timeoutMs: 400_000 });
    expect(result.code, result.stderr).toBe(0);
    const lines = stateLines(out);
    // Search and results pages: two per heuristic episode.
    expect(lines).toHaveLength(40);
    expect(lines.every((l) => l.replay === 'verified')).toBe(true);
    const transitions = readTransitions(out);
    const branches = transitions.filter((t) => branchOf(t));
    const experts = transitions.filter((t) => !branchOf(t));
    expect(new Set(experts.map((t) => t.episode_id)).size).toBe(20);
    expect(branches).toHaveLength(120);
    const byState = new Map<string, Transition[]>();
    for (const t of branches) byState.set(`${branchOf(t)!.of_episode}#${branchOf(t)!.of_step}`, [...(byState.get(`${branchOf(t)!.of_episode}#${branchOf(t)!.of_step}`) ?? []), t]);
    for (const [key, alts] of byState) {
      const info = branchOf(alts[0]!)!;
      const expert = experts.find((t) => t.episode_id === info.of_episode && t.step === info.of_step)!;
      expect(info.expert_action).toBe(expert.action);
      const ids = alts.map((t) => identity(t.action));
      expect(new Set(ids).size, key).toBe(3);
      expect(ids).not.toContain(identity(expert.action));
      // The restored state is the recorded one, and the paper's WebShop rule holds per page.
      for (const t of alts) {
        expect(branchOf(t)!.replay).toBe('verified');
        expect(profile.canonicalKey(t.state).key).toBe(profile.canonicalKey(expert.state).key);
        expect(t.action.startsWith(expert.state.page_type === 'search' ? 'search[' : 'click[')).toBe(true);
        expect(t.next_state.source).toBe('real');
      }
    }
    const r = report(out);
    expect(r.states).toMatchObject({ planned: 40, finished: 40, verified: 40, mismatched: 0, errors: 0 });
    // Replays are real steps: state i costs i replayed steps per alternative, plus the alternative itself.
    expect(r.real_interactions.branches).toBe(120);
    expect(r.real_interactions.replay).toBe(60);
    expect(r.real_interactions.per_branch).toBeCloseTo(1.5);
    runManifestSchema.parse(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')));
  }, 420_000);

  it('a page that differs from the recorded one (another catalogue) is a mismatch with both keys, and is not branched', async () => {
    const out = join(tmp('branch-mismatch'), 'run');
    const result = await runCli(['branch', '--env', 'webshop', '--fixture', '--seed', '7', '--from', seeds, '--k', '1', '--max-steps-expert', '3', '--concurrency', '2', '--out', out], { timeoutMs: 200_000 });
    expect(result.code, result.stderr).toBe(0);
    const lines = stateLines(out);
    const mismatched = lines.filter((l) => l.replay === 'mismatch');
    expect(mismatched.length).toBeGreaterThan(0);
    for (const l of mismatched) {
      expect(l.expected_key).toMatch(/^results\|/);
      expect(l.actual_key).not.toBe(l.expected_key);
      expect(l.alternatives).toBe(0);
    }
    const branched = new Set(readTransitions(out).filter((t) => branchOf(t)).map((t) => `${branchOf(t)!.of_episode}#${branchOf(t)!.of_step}`));
    for (const l of mismatched) expect(branched.has(`${l.of_episode}#${l.of_step}`)).toBe(false);
    expect(report(out).mismatch_examples[0]).toMatchObject({ expected_key: mismatched[0]!.expected_key, actual_key: mismatched[0]!.actual_key });
  }, 220_000);

  it('a WebArena fixture task branched after reset reproduces the recorded keys at every state', async () => {
    const dir = tmp('branch-webarena');
    const expert = join(dir, 'expert');
    const collected = await runCli(['collect', '--env', 'webarena', '--fixture', '--goals', '15', '--out', expert]);
    expect(collected.code, collected.stderr).toBe(0);
    const out = join(dir, 'run');
    const result = await runCli(['branch', '--env', 'webarena', '--fixture', '--from', expert, '--k', '2', '--concurrency', '2', '--out', out], { timeoutMs: 200_000 });
    expect(result.code, result.stderr).toBe(0);
    const lines = stateLines(out);
    expect(lines).toHaveLength(4);
    expect(lines.map((l) => l.replay)).toEqual(['verified', 'verified', 'verified', 'verified']);
    const branches = readTransitions(out).filter((t) => branchOf(t));
    expect(branches).toHaveLength(8);
    for (const t of branches) expect(t.action).not.toBe(branchOf(t)!.expert_action);
  }, 220_000);

  it('the cap holds under concurrency and SIGKILL: never overspent, no alternative taken twice', async () => {
    const dir = tmp('branch-kill');
    const out = join(dir, 'run');
    const ledgerFile = join(dir, 'ledger.json');
    const cap = 45;
    const args = ['branch', '--env', 'webshop', '--fixture', '--from', seeds, '--k', '2', '--concurrency', '3', '--real-cap', String(cap), '--ledger', ledgerFile, '--out', out];
    const outcome = await killAndResume(args, out, ledgerFile, 2);
    expect(outcome.exitCode, outcome.stderr).toBe(0);
    const ledger = readLedger(ledgerFile);
    expect(ledger.used).toBeLessThanOrEqual(cap);
    const lines = stateLines(out);
    const logged = lines.reduce((n, l) => n + l.replay_steps + l.branch_steps, 0);
    // What the state lines account for was spent; a killed process may have spent more (in flight).
    expect(logged).toBeLessThanOrEqual(ledger.used);
    const branches = readTransitions(out).filter((t) => branchOf(t));
    const seen = branches.map((t) => `${branchOf(t)!.of_episode}#${branchOf(t)!.of_step}#${identity(t.action)}`);
    expect(new Set(seen).size).toBe(seen.length);
    expect(new Set(lines.map((l) => `${l.of_episode}#${l.of_step}`)).size).toBe(lines.length);
  }, 400_000);

  it('bad input: no expert episodes, an unknown policy, --k 0 — one error line naming it, exit 1', async () => {
    const empty = tmp('branch-empty');
    writeFileSync(join(empty, 'episodes.jsonl'), '');
    const none = await runCli(['branch', '--env', 'webshop', '--fixture', '--from', empty, '--k', '2', '--out', join(empty, 'out')]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^error EXPERT_EPISODES_MISSING: --from .*branch-empty/m);
    const policy = await runCli(['branch', '--env', 'webshop', '--fixture', '--from', seeds, '--k', '2', '--policy', 'nope', '--out', join(empty, 'out2')]);
    expect(policy.code).toBe(1);
    expect(policy.stderr).toMatch(/^error CONFIG_INVALID: --policy nope/m);
    const k = await runCli(['branch', '--env', 'webshop', '--fixture', '--from', seeds, '--k', '0', '--out', join(empty, 'out3')]);
    expect(k.code).toBe(1);
    expect(k.stderr).toMatch(/^error CONFIG_INVALID: .*--k/m);
  }, 60_000);
});
