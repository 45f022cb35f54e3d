import type { ExportSite, TaskSplit } from '../harness/export/export-selection.js';
import type { SourceRun } from '../harness/export/export-sources.js';
import type { Split } from '../src/protocol/index.js';
import { siteNamed } from './site-registry.js';

const SPLITS: readonly Split[] = ['test', 'eval', 'train'];

/**
 * The site of a run directory, from the registry and the run's manifest (`site.env`, and the goal
 * count WebShop's splits need): its pure profile and the split of each task, read from the site's
 * own split lists (test first, so a task listed in several splits counts as test: WebArena offers
 * every task in every split, and all of them are test tasks).
 */
export const exportSiteOf = async (run: SourceRun): Promise<ExportSite> => {
  const { definition } = siteNamed(run.manifest.site.env);
  const goalCount = run.manifest.site['goal_count'];
  const flags = typeof goalCount === 'number' ? { goalCount } : {};
  const facts = await definition.facts(flags);
  const profile = definition.profile(flags, facts, definition.defaults.maxSteps);
  const lists = new Map<Split, Set<string>>(SPLITS.map((s) => [s, new Set(facts.tasks.split(s).map((t) => t.task_id))]));
  return {
    profile,
    splitOf: (taskId: string): TaskSplit => SPLITS.find((s) => lists.get(s)?.has(taskId)) ?? 'unsplit',
  };
};
