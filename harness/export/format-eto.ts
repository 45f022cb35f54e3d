import type { FormatWriter, RecordMeta } from './export-format.js';
import { episodeSourceOf, selectEpisodes } from './export-selection.js';
import { etoInstructionPart, etoTrajectory } from './eto-conversation.js';
import { exportTemplateHashes } from './export-templates.js';

/**
 * ETO's SFT trajectories: a JSON array of `{id, conversations: [{from, value}], reward}`, the
 * conversation being the instruction part (human instruction, gpt "OK") then the trajectory
 * (`Observation:\n…` / `Thought: …\nAction: …`), the reward the episode's total. `id` is the task id
 * (`<task>_<n>` for its n-th further episode).
 */
export const writeEto: FormatWriter = (context) => {
  const records: unknown[] = [];
  const meta: RecordMeta[] = [];
  const seen = new Map<string, number>();
  const envs: string[] = [];
  for (const e of selectEpisodes(context.sources, context.siteOf, context.filters, context.skips)) {
    const n = seen.get(e.episode.task_id) ?? 0;
    seen.set(e.episode.task_id, n + 1);
    envs.push(e.episode.env);
    records.push({
      id: n === 0 ? e.episode.task_id : `${e.episode.task_id}_${n}`,
      conversations: [...etoInstructionPart(context.templates, e), ...etoTrajectory(e)],
      reward: e.episode.total_reward,
    });
    meta.push({ split: e.split, source: episodeSourceOf(e.steps), reward: e.episode.total_reward, task_id: e.episode.task_id });
  }
  return { container: 'json', records, meta, promptHashes: exportTemplateHashes(context.templates, ['eto-instruction.md'], new Set(envs)) };
};
