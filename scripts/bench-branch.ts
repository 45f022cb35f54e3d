/**
 * Early Experience's cost on real sites (`npm run bench`): real interactions and wall time per
 * branch, for WebShop (heuristic experts, K = 3) and the WebArena fixture (its oracle on task 15,
 * K = 2), against the same run's baseline: the expert's own collection, per real step.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BranchReport } from '../harness/branch/branch-report.js';

const root = fileURLToPath(new URL('../', import.meta.url));

const cli = (args: string[]): Promise<number> =>
  new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [join(root, 'bin/dreambridge.js'), ...args], { cwd: root, env: { ...process.env, DREAMBRIDGE_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`dreambridge ${args[0]} exited ${code}`))));
  });

export interface BranchBench {
  site: string;
  k: number;
  branches: number;
  interactionsPerBranch: number | null;
  replayShare: number;
  wallMsPerBranch: number | null;
  /** The expert collection's wall time per real step (process start included, as for branch). */
  baselineMsPerStep: number;
  ratio: number | null;
}

const benchSite = async (site: 'webshop' | 'webarena', collectArgs: string[], k: number): Promise<BranchBench> => {
  const dir = mkdtempSync(join(tmpdir(), `dreambridge-bench-branch-${site}-`));
  const expert = join(dir, 'expert');
  const collectMs = await cli(['collect', '--env', site, '--fixture', ...collectArgs, '--out', expert]);
  const steps = readFileSync(join(expert, 'transitions.jsonl'), 'utf8').split('\n').filter(Boolean).length;
  const out = join(dir, 'branch');
  await cli(['branch', '--env', site, '--fixture', '--from', expert, '--k', String(k), '--concurrency', '2', '--out', out]);
  const report = JSON.parse(readFileSync(join(out, 'branch-report.json'), 'utf8')) as BranchReport;
  const baselineMsPerStep = collectMs / steps;
  const real = report.real_interactions;
  return {
    site, k, branches: report.alternatives.total, interactionsPerBranch: real.per_branch, replayShare: real.total === 0 ? 0 : real.replay / real.total,
    wallMsPerBranch: report.wall_ms_per_branch, baselineMsPerStep, ratio: report.wall_ms_per_branch === null ? null : report.wall_ms_per_branch / baselineMsPerStep,
  };
};

export const benchBranch = async (): Promise<BranchBench[]> => [
  await benchSite('webshop', ['--episodes', '6', '--concurrency', '2'], 3),
  await benchSite('webarena', ['--goals', '15'], 2),
];
