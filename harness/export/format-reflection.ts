import { policyAnswer, policyPromptAt } from './agent-turns.js';
import { annotationDirsOf, annotationKey, annotationRecordedKey, selectedTransitionsByKey } from './annotation-join.js';
import type { FormatWriter, RecordMeta } from './export-format.js';
import { countSkip } from './export-selection.js';

/**
 * Self-reflection (Early Experience) as OpenAI chat JSONL, one line per expert state with an ok
 * reflection: the user message is the chat policy's prompt at that state, the assistant message
 * the reflection followed by the expert action (`<think>reflection</think><action>…</action>`).
 * Failed annotations are left out and counted; so is an annotation whose state is not the run's.
 */
export const writeReflection: FormatWriter = (context) => {
  const dirs = annotationDirsOf(context, 'reflection', 'reflection');
  // The selection's own skip reasons would count every transition of the runs: only items count here.
  const selected = selectedTransitionsByKey(context, {});
  const records: unknown[] = [];
  const meta: RecordMeta[] = [];
  const hashes: Record<string, string> = {};
  for (const dir of dirs) {
    for (const [file, hash] of Object.entries(dir.manifest.prompt_hashes)) hashes[`annotate:${file}`] = hash;
    for (const item of dir.items) {
      if (item.status !== 'ok' || item.annotation === null || item.annotation.trim() === '') {
        countSkip(context.skips, 'reflection annotation failed');
        continue;
      }
      const r = selected.get(annotationKey(item)) ?? selected.get(annotationRecordedKey(item));
      if (r === undefined) {
        countSkip(context.skips, 'reflection on a transition left out (split, outcome, dream) or not found');
        continue;
      }
      const t = r.transition;
      if (item.state !== undefined && item.state !== t.state.text) {
        countSkip(context.skips, "reflection state differs from the run's observation");
        continue;
      }
      const expert = item.expert_action ?? t.action;
      records.push({
        messages: [
          { role: 'user', content: policyPromptAt(t, r.history, r.site, context.policy) },
          { role: 'assistant', content: policyAnswer(item.annotation, expert) },
        ],
      });
      meta.push({ split: r.split, source: r.source, reward: t.reward, task_id: t.task_id });
    }
  }
  return { container: 'jsonl', records, meta, promptHashes: hashes };
};
