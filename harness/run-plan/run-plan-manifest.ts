import type { RealBudget } from '../../src/budget/real-budget.js';
import type { DreamSetup } from '../../src/dream/dream-setup.js';
import type { OpenedSite, SiteFacts } from '../../src/env/site-definition.js';
import type { SiteProfile, Task } from '../../src/protocol/index.js';
import type { RunManifest } from '../../src/store/index.js';
import type { Schedule } from '../schedule.js';
import { manifestBase } from './run-manifest.js';
import type { RunPlanOptions } from './run-plan-options.js';

export interface RunPlanManifestInput {
  options: RunPlanOptions;
  runId: string;
  previous: RunManifest | undefined;
  schedule: Schedule;
  profile: SiteProfile;
  opened: OpenedSite | undefined;
  facts: SiteFacts;
  dream: DreamSetup | undefined;
  policy: Record<string, unknown>;
  realPolicy: Record<string, unknown>;
  budget: RealBudget | undefined;
  plan: readonly Task[];
}

/** The manifest of a run plan before its episodes: how the data is made (the result is added at the end). */
export const runPlanManifest = async (input: RunPlanManifestInput): Promise<RunManifest> => {
  const { options, profile, budget } = input;
  return {
    ...manifestBase({
      runId: input.runId,
      previous: input.previous,
      command: options.commandLine,
      seed: options.seed,
      browser: input.opened?.browserVersion,
      site: { profile_version: profile.version, ...(input.opened?.manifest ?? input.facts.manifest), env: options.site.name },
      models: input.dream?.manifest ?? {},
    }),
    kind: options.command,
    schedule: { text: options.schedule, ...input.schedule, on_budget_exhausted: options.onBudgetExhausted },
    policy: input.policy,
    real_policy: input.realPolicy,
    budget: budget ? { ledger: options.ledger ?? null, cap: (await budget.snapshot()).cap, count_resets: options.countResets ?? false } : null,
    options: {
      split: options.split, episodes: input.plan.length, group: options.group, concurrency: options.concurrency, real_concurrency: options.realConcurrency ?? options.concurrency,
      max_steps: profile.maxSteps, step_timeout_ms: options.stepTimeout, episode_timeout_ms: options.episodeTimeout ?? null, shadow: options.shadow ?? 0,
    },
    plan: input.plan.map((t) => t.task_id),
  };
};
