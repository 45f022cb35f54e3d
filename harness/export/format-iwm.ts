import type { FormatWriter, RecordMeta } from './export-format.js';
import { selectTransitions } from './export-selection.js';
import { exportTemplateHashes, fillExportTemplate } from './export-templates.js';

/** The assistant side of an implicit-world-modelling record (Early Experience). */
export const iwmTarget = (nextState: string): string => `Observation:\n${nextState}`;

/**
 * Implicit world modelling (Early Experience) as OpenAI chat JSONL, one line per transition (the
 * experts' and every branched alternative's): a world-model system prompt, the user message the
 * state and the action, the assistant message `Observation:\n<next state>`.
 */
export const writeIwm: FormatWriter = (context) => {
  const records: unknown[] = [];
  const meta: RecordMeta[] = [];
  const { templates } = context;
  const envs: string[] = [];
  for (const r of selectTransitions(context.sources, context.siteOf, context.filters, context.skips)) {
    const t = r.transition;
    envs.push(t.env);
    const system = fillExportTemplate(templates, 'iwm-system.md', t.env, { site: r.site.profile.displayName, state_format: r.site.profile.prompts.stateFormat });
    records.push({
      messages: [
        { role: 'system', content: system },
        { role: 'user', content: fillExportTemplate(templates, 'iwm-user.md', t.env, { state: t.state.text, action: t.action }) },
        { role: 'assistant', content: iwmTarget(t.next_state.text) },
      ],
    });
    meta.push({ split: r.split, source: r.source, reward: t.reward, task_id: t.task_id });
  }
  return {
    container: 'jsonl',
    records,
    meta,
    promptHashes: exportTemplateHashes(templates, ['iwm-system.md', 'iwm-user.md'], new Set(envs)),
  };
};
