import { ConfigInvalidError } from '../../src/env/errors.js';
import type { FormatWriter, RecordMeta } from './export-format.js';
import { countSkip, episodeSourceOf, selectEpisodes, type EpisodeRecord } from './export-selection.js';
import { etoInstructionPart, etoTrajectory } from './eto-conversation.js';
import { exportTemplateHashes } from './export-templates.js';

/**
 * ETO's preference pairs: a JSON array of `{id, prompt, chosen, rejected}` for trajectories of
 * the same task, a successful one chosen over a failed one: `prompt` is the instruction part plus
 * the first observation, `chosen` and `rejected` the rest of each conversation (agent turn first,
 * agent turn last). Every failed episode of a task is paired with the task's best successful one;
 * a task with no success or no failure gives no pair. Both trajectories must start from the same
 * observation (they share the prompt), else the pair is left out and counted.
 */
export const writeEtoPairs: FormatWriter = (context) => {
  if (context.filters.onlySuccess || context.filters.minReward !== undefined) {
    throw new ConfigInvalidError('--format eto-pairs pairs successful with failed trajectories: --only-success and --min-reward do not apply to it');
  }
  const byTask = new Map<string, EpisodeRecord[]>();
  for (const e of selectEpisodes(context.sources, context.siteOf, context.filters, context.skips)) {
    const key = `${e.episode.env}\u0000${e.episode.task_id}`;
    byTask.set(key, [...(byTask.get(key) ?? []), e]);
  }
  const records: unknown[] = [];
  const meta: RecordMeta[] = [];
  const envs: string[] = [];
  for (const episodes of byTask.values()) {
    const wins = episodes.filter((e) => e.episode.success).sort((a, b) => b.episode.total_reward - a.episode.total_reward);
    const losses = episodes.filter((e) => !e.episode.success);
    const best = wins[0];
    if (best === undefined || losses.length === 0) {
      countSkip(context.skips, best === undefined ? 'task without a successful episode (no pair)' : 'task without a failed episode (no pair)', episodes.length);
      continue;
    }
    const chosen = etoTrajectory(best);
    losses.forEach((loss, n) => {
      const rejected = etoTrajectory(loss);
      if (rejected[0]?.value !== chosen[0]?.value) {
        countSkip(context.skips, 'pair whose trajectories start from different observations');
        return;
      }
      envs.push(best.episode.env);
      records.push({
        id: n === 0 ? best.episode.task_id : `${best.episode.task_id}_${n}`,
        prompt: [...etoInstructionPart(context.templates, best), ...chosen.slice(0, 1)],
        chosen: chosen.slice(1),
        rejected: rejected.slice(1),
      });
      meta.push({ split: best.split, source: episodeSourceOf(best.steps), reward: best.episode.total_reward, task_id: best.episode.task_id });
    });
  }
  return { container: 'json', records, meta, promptHashes: exportTemplateHashes(context.templates, ['eto-instruction.md'], new Set(envs)) };
};
