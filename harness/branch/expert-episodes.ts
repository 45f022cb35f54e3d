import { join } from 'node:path';
import { ExpertEpisodesMissingError } from '../../src/env/errors.js';
import { episodeSchema, transitionSchema, type Episode, type Transition } from '../../src/protocol/index.js';
import { readJsonl, runFileNames } from '../../src/store/index.js';

/** A finished expert episode of a run directory: its line and its steps in order. */
export interface ExpertEpisode {
  dir: string;
  episode: Episode;
  steps: Transition[];
}

export interface ExpertSelection {
  episodes: ExpertEpisode[];
  /** Episodes left out, with why (too long, another site, no steps, not finished). */
  skipped: Array<{ episode_id: string; reason: string }>;
}

const isBranchLine = (t: Transition): boolean => t.info['branch'] !== undefined;

/**
 * The expert episodes of run directories: finished episodes (an episode line, not interrupted or
 * in error) of this site whose steps are all logged, at most `maxSteps` long (Early Experience drops
 * longer ones). Lines that are themselves branches are not experts. None at all is
 * EXPERT_EPISODES_MISSING naming the directories.
 */
export const readExpertEpisodes = async (dirs: readonly string[], env: string, maxSteps: number): Promise<ExpertSelection> => {
  const episodes: ExpertEpisode[] = [];
  const skipped: ExpertSelection['skipped'] = [];
  for (const dir of dirs) {
    const [transitions, lines] = await Promise.all([readJsonl(join(dir, runFileNames.transitions), transitionSchema), readJsonl(join(dir, runFileNames.episodes), episodeSchema)]);
    const byEpisode = new Map<string, Transition[]>();
    for (const t of transitions) {
      if (isBranchLine(t)) continue;
      const list = byEpisode.get(t.episode_id) ?? [];
      list.push(t);
      byEpisode.set(t.episode_id, list);
    }
    for (const episode of lines) {
      const steps = (byEpisode.get(episode.episode_id) ?? []).sort((a, b) => a.step - b.step);
      const skip = (reason: string) => skipped.push({ episode_id: episode.episode_id, reason });
      if (episode.env !== env) skip(`an episode of ${episode.env}, not ${env}`);
      else if (episode.termination === 'interrupted' || episode.termination === 'error') skip(`ended ${episode.termination}`);
      else if (steps.length === 0) skip('no steps');
      else if (steps.length > maxSteps) skip(`${steps.length} steps, more than --max-steps-expert ${maxSteps}`);
      else if (steps.some((t, i) => t.step !== i) || steps.some((t) => t.source !== 'real')) skip('its steps are not all logged real steps');
      else episodes.push({ dir, episode, steps });
    }
  }
  if (episodes.length === 0) {
    const why = skipped.length === 0 ? 'no episode lines' : `${skipped.length} episodes, none usable (e.g. ${skipped[0]?.episode_id}: ${skipped[0]?.reason})`;
    throw new ExpertEpisodesMissingError(`--from ${dirs.join(' ')}: no expert episodes of ${env} to branch from (${why})`);
  }
  return { episodes, skipped };
};
