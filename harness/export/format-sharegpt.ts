import { policyAnswer } from './agent-turns.js';
import type { FormatWriter, RecordMeta } from './export-format.js';
import { episodeSourceOf, selectEpisodes } from './export-selection.js';
import { exportTemplateHashes, fillExportTemplate } from './export-templates.js';

/**
 * ShareGPT as LLaMA-Factory reads it: a JSON array of `{conversations: [{from, value}], system}`,
 * one per episode, `human` turns (odd positions) the observation texts and `gpt` turns (even
 * positions) the agent's `<think>…</think><action>…</action>`. `dataset_info.json` beside the
 * file registers it (see `sharegptDatasetInfo`).
 */
export const writeShareGpt: FormatWriter = (context) => {
  const records: unknown[] = [];
  const meta: RecordMeta[] = [];
  const { templates } = context;
  const envs: string[] = [];
  for (const e of selectEpisodes(context.sources, context.siteOf, context.filters, context.skips)) {
    envs.push(e.episode.env);
    records.push({
      conversations: e.steps.flatMap((t) => [
        { from: 'human', value: t.state.text },
        { from: 'gpt', value: policyAnswer(t.thought, t.action) },
      ]),
      system: fillExportTemplate(templates, 'agent-system.md', e.episode.env, { site: e.site.profile.prompts.policySite }),
    });
    meta.push({ split: e.split, source: episodeSourceOf(e.steps), reward: e.episode.total_reward, task_id: e.episode.task_id });
  }
  return { container: 'json', records, meta, promptHashes: exportTemplateHashes(templates, ['agent-system.md'], new Set(envs)) };
};

/** LLaMA-Factory's `dataset_info.json` entry of a ShareGPT file. */
export const sharegptDatasetInfo = (fileName: string): Record<string, unknown> => ({
  file_name: fileName,
  formatting: 'sharegpt',
  columns: { messages: 'conversations', system: 'system' },
  tags: { role_tag: 'from', content_tag: 'value', user_tag: 'human', assistant_tag: 'gpt' },
});
