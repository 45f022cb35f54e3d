import { agentGymAnswer } from './agent-turns.js';
import type { FormatWriter, RecordMeta } from './export-format.js';
import { episodeSourceOf, selectEpisodes } from './export-selection.js';
import { exportTemplateHashes, fillExportTemplate } from './export-templates.js';

/** One turn of an AgentGym conversation: `loss` true on the agent's steps, false on the canned reply, null on the human side. */
export interface AgentGymTurn {
  from: 'human' | 'gpt';
  loss: boolean | null;
  value: string;
}

/**
 * AgentGym's AgentTraj-L: a JSON array of `{item_id: "<env>_<task>", conversations}` where the
 * conversation opens with the ReAct instruction (human, loss null) and its canned "Ok." (gpt, loss
 * false), then alternates the observation text (human, loss null) and the agent's
 * `Thought:\n…\n\nAction:\n…` (gpt, loss true). WebShop items are `webshop_<goal index>`.
 */
export const writeAgentTraj: FormatWriter = (context) => {
  const records: unknown[] = [];
  const meta: RecordMeta[] = [];
  const { templates } = context;
  const envs: string[] = [];
  for (const e of selectEpisodes(context.sources, context.siteOf, context.filters, context.skips)) {
    const conversations: AgentGymTurn[] = [
      { from: 'human', loss: null, value: fillExportTemplate(templates, 'react-instruction.md', e.episode.env, { site: e.site.profile.displayName }) },
      { from: 'gpt', loss: false, value: 'Ok.' },
    ];
    for (const t of e.steps) {
      conversations.push({ from: 'human', loss: null, value: t.state.text }, { from: 'gpt', loss: true, value: agentGymAnswer(t.thought, t.action) });
    }
    envs.push(e.episode.env);
    records.push({ item_id: `${e.episode.env}_${e.episode.task_id}`, conversations });
    meta.push({ split: e.split, source: episodeSourceOf(e.steps), reward: e.episode.total_reward, task_id: e.episode.task_id });
  }
  return { container: 'json', records, meta, promptHashes: exportTemplateHashes(templates, ['react-instruction.md'], new Set(envs)) };
};
