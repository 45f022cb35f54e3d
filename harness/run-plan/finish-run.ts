import type { Logger } from 'pino';
import type { LedgerSnapshot, RealBudget } from '../../src/budget/real-budget.js';
import type { RunDirectory, RunManifest } from '../../src/store/index.js';
import { computeTaskVariances, type TaskVariance } from '../curriculum/task-variance.js';
import { writeFidelityOutputs } from '../report/index.js';
import type { RunResult } from '../runner.js';
import { addShadowCounts, shadowCounts, shadowCountsSchema, type ShadowCounts, type Shadower } from '../shadow/index.js';

/** What a finished run reports beyond the runner's result. */
export interface RunFinish {
  result: RunResult;
  groups: TaskVariance[];
  budget?: LedgerSnapshot;
  fidelity?: { eps_R: { mean: number; ci_low: number; ci_high: number; n: number }; eps_P: { mean: number; ci_low: number; ci_high: number; n: number }; htmlPath: string };
}

export interface FinishRunOptions {
  runDir: RunDirectory;
  result: RunResult;
  /** The manifest of the run's earlier invocations (`--resume`): their shadow counts add up. */
  previous?: RunManifest | undefined;
  shadower?: { shadower: Shadower; k: number } | undefined;
  budget?: RealBudget | undefined;
  /** Token usage of an LLM experience model, for the manifest. */
  modelUsage?: unknown;
  fidelity: { horizon: number; gamma?: number | undefined; rMax?: number | undefined };
  logger: Logger;
}

/**
 * After the episodes: the shadow counts (summed over resumes, losses logged), per-task reward
 * variance, the budget left, fidelity.json and report.html when shadowed, and the manifest's result.
 */
export const finishRun = async (options: FinishRunOptions): Promise<RunFinish> => {
  const { runDir, logger } = options;
  await options.shadower?.shadower.flush();
  const earlier = shadowCountsSchema.safeParse(options.previous?.['shadow']);
  const own = options.shadower ? shadowCounts(options.shadower.shadower.stats, options.shadower.k) : undefined;
  const shadow: ShadowCounts | undefined = own && earlier.success ? addShadowCounts(earlier.data, own) : own;
  if (shadow && shadow.failed + shadow.dropped > 0) logger.warn({ shadow }, `shadow: ${shadow.failed} predictions failed, ${shadow.dropped} lines dropped (counted in manifest.json and fidelity.json)`);
  const episodes = await runDir.readEpisodes();
  // Failed and interrupted rollouts say nothing about a task's difficulty.
  const groups = computeTaskVariances(episodes.filter((e) => e.termination !== 'interrupted' && e.termination !== 'error'));
  const budget = options.budget ? await options.budget.snapshot() : undefined;
  let fidelity: RunFinish['fidelity'];
  if (options.shadower) {
    const { horizon, gamma, rMax } = options.fidelity;
    const written = await writeFidelityOutputs(runDir.dir, { horizon, ...(shadow ? { shadow } : {}), ...(gamma === undefined ? {} : { gamma }), ...(rMax === undefined ? {} : { rMax }) });
    fidelity = { eps_R: written.report.eps_R, eps_P: written.report.eps_P, htmlPath: written.htmlPath };
  }
  const { result } = options;
  const manifest = await runDir.readManifest();
  if (manifest) {
    await runDir.writeManifest({
      ...manifest,
      ...(shadow ? { shadow } : {}),
      result: {
        episodes: result.episodes, mean_reward: result.meanReward, success_rate: result.successRate, steps: result.steps,
        real_interactions: result.realInteractions, terminations: result.terminations, budget_exhausted: result.budgetExhausted,
        ...(budget ? { budget } : {}),
        ...(options.modelUsage === undefined ? {} : { model_usage: options.modelUsage }),
        groups,
      },
    });
  }
  return { result: shadow ? { ...result, shadow } : result, groups, ...(budget ? { budget } : {}), ...(fidelity ? { fidelity } : {}) };
};
