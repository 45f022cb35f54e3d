import { z } from 'zod';

/** The file of per-state restore records in a branch run directory. */
export const BRANCH_STATES_FILE = 'branch-states.jsonl';

/**
 * One line of `branch-states.jsonl`, written when a state is finished: how its restores went
 * (`verified`, `mismatch` with both keys and the step where the replay diverged, or `error`), the
 * real interactions spent replaying and branching, and how many alternatives it got. `--resume`
 * skips states that have a line.
 */
export const branchStateLineSchema = z.object({
  run_id: z.string(),
  of_episode: z.string(),
  of_step: z.number().int().nonnegative(),
  page_type: z.string().optional(),
  replay: z.enum(['verified', 'mismatch', 'error']),
  restores: z.number().int().nonnegative(),
  replay_steps: z.number().int().nonnegative(),
  branch_steps: z.number().int().nonnegative(),
  alternatives: z.number().int().nonnegative(),
  /** Alternatives asked for but not found (the policy and the fallback proposed nothing new). */
  shortfall: z.number().int().nonnegative(),
  wall_ms: z.number().nonnegative(),
  expected_key: z.string().optional(),
  actual_key: z.string().optional(),
  at_step: z.number().int().nonnegative().optional(),
  error: z.string().optional(),
});

export type BranchStateLine = z.infer<typeof branchStateLineSchema>;
