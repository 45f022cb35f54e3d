import { createHash } from 'node:crypto';
import type { ExperienceRequest } from '../../src/dream/experience-model.js';
import { buildExperienceMessages } from '../../src/dream/experience-prompt-messages.js';
import type { Transition } from '../../src/protocol/index.js';
import { annotationDirsOf, annotationKey, annotationRecordedKey, recordedKey } from './annotation-join.js';
import type { FormatWriter, RecordMeta } from './export-format.js';
import { createExportRetrieval } from './export-retrieval.js';
import { countSkip, selectTransitions, transitionKey, type TransitionRecord } from './export-selection.js';
import type { AnnotationItem } from './export-sources.js';

/** The experience model's answer for a real step, in its own tagged format (what `parseExperienceOutput` reads); the reward as recorded, unrounded. */
export const experienceTarget = (reasoning: string, t: Pick<Transition, 'next_state' | 'reward' | 'done'>): string =>
  [`<reasoning>${reasoning}</reasoning>`, `<next_state>${t.next_state.text}</next_state>`, `<reward>${String(t.reward)}</reward>`, `<done>${String(t.done)}</done>`].join('\n');

/** The request the dream env would make for this step: its task, the episode so far, the state and the action. */
export const experienceRequestOf = (r: Pick<TransitionRecord, 'transition' | 'history'>): ExperienceRequest => {
  const t = r.transition;
  return {
    task: { task_id: t.task_id, env: t.env, instruction: t.state.instruction },
    instruction: t.state.instruction,
    history: r.history.map((h) => ({ state: h.state, action: h.action, reward: h.reward })),
    state: t.state,
    action: t.action,
  };
};

/**
 * DreamGym experience-model SFT as OpenAI chat JSONL, one line per real transition with an ok
 * reasoning annotation: system and user messages exactly as `OpenAIExperienceModel` builds them at
 * inference (the same builder, templates and retrieval: task, last H steps, top-k demonstrations
 * from the exported transitions outside the step's own episode, state, action), the assistant
 * message `<reasoning>…</reasoning> <next_state>…</next_state> <reward>…</reward> <done>…</done>`.
 * A transition without an ok annotation is left out and counted (a reasoning is never invented).
 */
export const writeExperienceSft: FormatWriter = (context) => {
  const dirs = annotationDirsOf(context, 'reasoning', 'experience-sft');
  const annotations = new Map<string, AnnotationItem>();
  for (const dir of dirs) {
    for (const item of dir.items) {
      // An ok answer wins over a failed one for the same step, whichever directory comes first.
      for (const key of [annotationKey(item), annotationRecordedKey(item)]) if (item.status === 'ok' || !annotations.has(key)) annotations.set(key, item);
    }
  }
  const selected = selectTransitions(context.sources, context.siteOf, context.filters, context.skips);
  const { experience } = context;
  const retrievals = new Map<string, ReturnType<typeof createExportRetrieval>>();
  const retrievalOf = (r: TransitionRecord): ReturnType<typeof createExportRetrieval> => {
    const env = r.transition.env;
    let found = retrievals.get(env);
    if (found === undefined) {
      found = createExportRetrieval(
        selected.filter((s) => s.transition.env === env).map((s) => s.transition),
        r.site.profile,
      );
      retrievals.set(env, found);
    }
    return found;
  };
  const records: unknown[] = [];
  const meta: RecordMeta[] = [];
  for (const r of selected) {
    const item = annotations.get(transitionKey(r.run.dir, r.transition.episode_id, r.transition.step)) ?? annotations.get(recordedKey(r.transition));
    if (item === undefined) {
      countSkip(context.skips, 'no reasoning annotation for the transition');
      continue;
    }
    if (item.status !== 'ok' || item.annotation === null || item.annotation.trim() === '') {
      countSkip(context.skips, 'reasoning annotation failed');
      continue;
    }
    const request = experienceRequestOf(r);
    const found = retrievalOf(r).for(r.transition)(request.state, request.action, experience.k);
    const messages = buildExperienceMessages(experience.templates, {
      profile: r.site.profile,
      request,
      demonstrations: found.slice(0, experience.k),
      historyLength: experience.historyLength,
      maxContextStateChars: experience.maxContextStateChars,
    });
    records.push({ messages: [...messages, { role: 'assistant', content: experienceTarget(item.annotation, r.transition) }] });
    meta.push({ split: r.split, source: r.source, reward: r.transition.reward, task_id: r.transition.task_id });
  }
  const hashes: Record<string, string> = { 'experience-templates (all)': experience.templates.hash };
  for (const [file, text] of Object.entries(experience.templates.text)) hashes[file] = createHash('sha256').update(text).digest('hex');
  for (const dir of dirs) for (const [file, hash] of Object.entries(dir.manifest.prompt_hashes)) hashes[`annotate:${file}`] = hash;
  return { container: 'jsonl', records, meta, promptHashes: hashes };
};
