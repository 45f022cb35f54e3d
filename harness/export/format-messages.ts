import { policyAnswer, policyPromptAt } from './agent-turns.js';
import type { FormatOutput, FormatWriter, RecordMeta } from './export-format.js';
import { selectEpisodes, sourceOf } from './export-selection.js';

/**
 * Expert SFT as OpenAI chat JSONL (`{"messages": [...]}`), one line per step: the user message is
 * the prompt the chat policy is sent at that step (task, recent history, the observation, the
 * admissible actions), the assistant message the step as `<think>…</think><action>…</action>`.
 */
export const writeMessages: FormatWriter = (context) => {
  const records: unknown[] = [];
  const meta: RecordMeta[] = [];
  for (const e of selectEpisodes(context.sources, context.siteOf, context.filters, context.skips)) {
    e.steps.forEach((t, i) => {
      records.push({
        messages: [
          { role: 'user', content: policyPromptAt(t, e.steps.slice(0, i), e.site, context.policy) },
          { role: 'assistant', content: policyAnswer(t.thought, t.action) },
        ],
      });
      meta.push({ split: e.split, source: sourceOf(t), reward: t.reward, task_id: t.task_id });
    });
  }
  return { container: 'jsonl', records, meta, promptHashes: {} } satisfies FormatOutput;
};
