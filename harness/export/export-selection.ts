import type { Episode, SiteProfile, Split, Transition } from '../../src/protocol/index.js';
import type { ExportSources, SourceRun } from './export-sources.js';

/** Where a record's data came from, as the dataset card counts it. */
export type RecordSource = 'real' | 'dream' | 'human' | 'branch';

/** A task's split; `unsplit` when the site's splits do not list it (WebShop's imported human sessions are named by session id). */
export type TaskSplit = Split | 'unsplit';

/** What the export needs of a site: its profile (prompts, actions) and the split of a task. */
export interface ExportSite {
  profile: SiteProfile;
  splitOf(taskId: string): TaskSplit;
}

/** The site of a run (from its manifest's `site`). */
export type ExportSiteOf = (run: SourceRun) => ExportSite;

/** Which records go in. Defaults: train split, any outcome, real transitions only for experience-sft/iwm/reflection. */
export interface ExportFilters {
  /** Splits whose tasks go in (`--split`; `all` = every split and unsplit tasks). Default ["train"]. */
  splits: readonly TaskSplit[];
  /** Only successful episodes (`--only-success`). */
  onlySuccess: boolean;
  /** Only episodes whose total reward is at least this (`--min-reward`). */
  minReward?: number | undefined;
  /** Dreamed transitions also go into experience-sft, iwm and reflection (`--include-dream`). */
  includeDream: boolean;
}

export const sourceOf = (t: Transition): RecordSource =>
  t.source === 'dream' ? 'dream' : t.info['provenance'] === 'human' ? 'human' : t.info['branch'] !== undefined ? 'branch' : 'real';

const branchOf = (t: Transition): { of_episode: string; of_step: number } | undefined => {
  const b = t.info['branch'] as { of_episode?: unknown; of_step?: unknown } | undefined;
  return b && typeof b.of_episode === 'string' && typeof b.of_step === 'number' ? { of_episode: b.of_episode, of_step: b.of_step } : undefined;
};

/** One episode with its steps in order. */
export interface EpisodeRecord {
  run: SourceRun;
  site: ExportSite;
  episode: Episode;
  steps: Transition[];
  split: TaskSplit;
}

/** One transition with what came before it in its episode (for a branch alternative: the expert's steps before the branched state). */
export interface TransitionRecord {
  run: SourceRun;
  site: ExportSite;
  transition: Transition;
  /** The episode line it belongs to (a branch alternative: its expert episode), when one was written. */
  episode: Episode | undefined;
  history: Transition[];
  split: TaskSplit;
  source: RecordSource;
}

/** Why records were left out, counted for the card. */
export type SkipCounts = Record<string, number>;

export const countSkip = (skips: SkipCounts, reason: string, n = 1): void => {
  skips[reason] = (skips[reason] ?? 0) + n;
};

/** The split filter: human sessions' unsplit tasks are WebShop's own training demonstrations. */
const splitAllowed = (split: TaskSplit, human: boolean, filters: ExportFilters): boolean =>
  filters.splits.includes(split) || (split === 'unsplit' && human && filters.splits.includes('train'));

const episodeAllowed = (episode: Episode | undefined, filters: ExportFilters): string | undefined => {
  if (!filters.onlySuccess && filters.minReward === undefined) return undefined;
  if (episode === undefined) return 'no episode line (unfinished episode) with --only-success/--min-reward';
  if (filters.onlySuccess && !episode.success) return 'episode not successful (--only-success)';
  if (filters.minReward !== undefined && episode.total_reward < filters.minReward) return `episode reward below ${filters.minReward} (--min-reward)`;
  return undefined;
};

const stepsByEpisode = (run: SourceRun): Map<string, Transition[]> => {
  const map = new Map<string, Transition[]>();
  for (const t of run.transitions) {
    const list = map.get(t.episode_id) ?? [];
    list.push(t);
    map.set(t.episode_id, list);
  }
  for (const list of map.values()) list.sort((a, b) => a.step - b.step);
  return map;
};

const DUPLICATE = 'duplicate (the same run, episode and step in another run directory: branch copies its experts)';

/** Finished episodes (episodes.jsonl) that pass the split and outcome filters, in `--from` and file order. */
export const selectEpisodes = (sources: ExportSources, siteOf: ExportSiteOf, filters: ExportFilters, skips: SkipCounts): EpisodeRecord[] => {
  const out: EpisodeRecord[] = [];
  const seen = new Set<string>();
  for (const run of sources.runs) {
    const site = siteOf(run);
    const steps = stepsByEpisode(run);
    for (const episode of run.episodes) {
      // `branch` copies its expert episodes beside the alternatives: one episode, counted once.
      const id = `${episode.run_id}\u0000${episode.episode_id}`;
      if (seen.has(id)) {
        countSkip(skips, DUPLICATE);
        continue;
      }
      seen.add(id);
      const list = steps.get(episode.episode_id) ?? [];
      const split = site.splitOf(episode.task_id);
      const human = list.some((t) => t.info['provenance'] === 'human');
      if (!splitAllowed(split, human, filters)) {
        countSkip(skips, `task in split ${split} (not named by --split)`);
        continue;
      }
      const why = episodeAllowed(episode, filters);
      if (why !== undefined) {
        countSkip(skips, why);
        continue;
      }
      if (list.length === 0) {
        countSkip(skips, 'episode without transitions');
        continue;
      }
      out.push({ run, site, episode, steps: list, split });
    }
  }
  return out;
};

/**
 * Transitions that pass the filters, in `--from` and file order. Dreamed ones only with
 * `includeDream` (`dreamAllowed` false keeps them out whatever the flag says).
 */
export const selectTransitions = (sources: ExportSources, siteOf: ExportSiteOf, filters: ExportFilters, skips: SkipCounts): TransitionRecord[] => {
  const out: TransitionRecord[] = [];
  const seen = new Set<string>();
  for (const run of sources.runs) {
    const site = siteOf(run);
    const steps = stepsByEpisode(run);
    const episodes = new Map(run.episodes.map((e) => [e.episode_id, e]));
    for (const transition of run.transitions) {
      const id = `${transition.run_id}\u0000${transition.episode_id}\u0000${transition.step}`;
      if (seen.has(id)) {
        countSkip(skips, DUPLICATE);
        continue;
      }
      seen.add(id);
      const source = sourceOf(transition);
      if (source === 'dream' && !filters.includeDream) {
        countSkip(skips, 'dreamed transition (no --include-dream)');
        continue;
      }
      const split = site.splitOf(transition.task_id);
      if (!splitAllowed(split, source === 'human', filters)) {
        countSkip(skips, `task in split ${split} (not named by --split)`);
        continue;
      }
      const branch = branchOf(transition);
      const episodeId = branch?.of_episode ?? transition.episode_id;
      const episode = episodes.get(episodeId);
      const why = episodeAllowed(episode, filters);
      if (why !== undefined) {
        countSkip(skips, why);
        continue;
      }
      const before = branch ? branch.of_step : transition.step;
      const history = (steps.get(episodeId) ?? []).filter((t) => t.step < before);
      out.push({ run, site, transition, episode, history, split, source });
    }
  }
  return out;
};

/** Every transition of the sources by (run dir, episode, step): annotations join on it. */
export const transitionKey = (runDir: string, episodeId: string, step: number): string => `${runDir}\u0000${episodeId}\u0000${step}`;

/** An episode's source for the card: dream when any step was dreamed, else its first step's. */
export const episodeSourceOf = (steps: readonly Transition[]): RecordSource =>
  steps.some((t) => t.source === 'dream') ? 'dream' : steps[0] === undefined ? 'real' : sourceOf(steps[0]);
