import type { BranchStateLine } from './branch-state-line.js';

/** The determinism report (`branch-report.json`) of a branch run directory. */
export interface BranchReport {
  experts: number;
  skipped_experts: number;
  states: { planned: number; finished: number; verified: number; mismatched: number; errors: number; without_alternatives: number };
  mismatch_examples: Array<{ of_episode: string; of_step: number; at_step?: number | undefined; expected_key?: string | undefined; actual_key?: string | undefined }>;
  error_examples: Array<{ of_episode: string; of_step: number; error?: string | undefined }>;
  alternatives: { total: number; per_state_mean: number; histogram: Record<string, number> };
  real_interactions: { replay: number; branches: number; total: number; per_branch: number | null };
  restores: number;
  wall_ms_per_branch: number | null;
}

const EXAMPLES = 5;

/** The report of every finished state (across resumes): restores, verification, interactions by purpose. */
export const branchReport = (lines: readonly BranchStateLine[], planned: number, experts: number, skipped: number): BranchReport => {
  const sum = (f: (l: BranchStateLine) => number): number => lines.reduce((n, l) => n + f(l), 0);
  const alternatives = sum((l) => l.alternatives);
  const replay = sum((l) => l.replay_steps);
  const branches = sum((l) => l.branch_steps);
  const histogram: Record<string, number> = {};
  for (const l of lines) if (l.replay === 'verified') histogram[String(l.alternatives)] = (histogram[String(l.alternatives)] ?? 0) + 1;
  const verified = lines.filter((l) => l.replay === 'verified');
  return {
    experts,
    skipped_experts: skipped,
    states: {
      planned,
      finished: lines.length,
      verified: verified.length,
      mismatched: lines.filter((l) => l.replay === 'mismatch').length,
      errors: lines.filter((l) => l.replay === 'error').length,
      without_alternatives: verified.filter((l) => l.alternatives === 0).length,
    },
    mismatch_examples: lines.filter((l) => l.replay === 'mismatch').slice(0, EXAMPLES).map((l) => ({ of_episode: l.of_episode, of_step: l.of_step, at_step: l.at_step, expected_key: l.expected_key, actual_key: l.actual_key })),
    error_examples: lines.filter((l) => l.replay === 'error').slice(0, EXAMPLES).map((l) => ({ of_episode: l.of_episode, of_step: l.of_step, error: l.error })),
    alternatives: { total: alternatives, per_state_mean: verified.length === 0 ? 0 : alternatives / verified.length, histogram },
    real_interactions: { replay, branches, total: replay + branches, per_branch: alternatives === 0 ? null : (replay + branches) / alternatives },
    restores: sum((l) => l.restores),
    wall_ms_per_branch: alternatives === 0 ? null : sum((l) => l.wall_ms) / alternatives,
  };
};
