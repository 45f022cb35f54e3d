import { trimMiddle } from '../../src/dream/experience-prompt-messages.js';
import { fillTemplate } from '../../src/llm/prompt-templates.js';
import type { RetrievedTransition } from '../../src/dream/experience-model.js';
import type { ChatMessage } from '../../src/llm/chat-completion.js';
import type { SiteProfile, Transition } from '../../src/protocol/index.js';
import { templateText, type AnnotationTemplates } from './annotation-prompts.js';
import { formatReward, REASONING_ANSWER_FORMAT } from './teacher-answer.js';

/** What the teacher is shown for one real transition. */
export interface ReasoningPromptInput {
  profile: Pick<SiteProfile, 'env' | 'prompts' | 'promptActions'>;
  itemId: string;
  transition: Transition;
  /** Earlier steps of its episode, oldest first (the last `historyLength` are shown). */
  history: readonly Transition[];
  demonstrations: readonly RetrievedTransition[];
  historyLength: number;
  /** Longest state text of a history step or demonstration (the transition's own states are never cut). */
  maxContextStateChars: number;
}

/**
 * The teacher's messages for one transition: the experience model's context (task, the last H
 * steps, the retrieved demonstrations, state, available actions, action) plus what really
 * happened (next state, reward, done), so the reasoning explains the recorded outcome.
 */
export const reasoningMessages = (templates: AnnotationTemplates, input: ReasoningPromptInput): ChatMessage[] => {
  const { transition: t, maxContextStateChars: max } = input;
  const history = input.historyLength > 0 ? input.history.slice(-input.historyLength) : [];
  const historyText = history
    .map((h, i) => fillTemplate(templateText(templates, 'reasoning-history-step.md'), { step: String(i + 1), state: trimMiddle(h.state.text, max), action: h.action, reward: formatReward(h.reward) }))
    .join('\n');
  const demonstrationText = input.demonstrations
    .map((d, i) =>
      fillTemplate(templateText(templates, 'reasoning-demonstration.md'), {
        index: String(i + 1), id: d.id, similarity: d.similarity.toFixed(3), state: trimMiddle(d.state, max), action: d.action,
        next_state: trimMiddle(d.next_state, max), reward: formatReward(d.reward), done: String(d.done),
      }),
    )
    .join('\n');
  const system = fillTemplate(templateText(templates, 'reasoning-system.md'), {
    site_system: input.profile.prompts.system,
    state_format: input.profile.prompts.stateFormat,
    answer_format: REASONING_ANSWER_FORMAT,
    env: input.profile.env,
  });
  const user = fillTemplate(templateText(templates, 'reasoning-user.md'), {
    item_id: input.itemId,
    instruction: t.state.instruction,
    history: historyText === '' ? '(none: this is the first step of the episode)' : historyText,
    history_length: String(history.length),
    demonstrations: demonstrationText === '' ? '(none retrieved)' : demonstrationText,
    demonstration_count: String(input.demonstrations.length),
    state: t.state.text,
    page_type: t.state.page_type ?? 'unknown',
    available_actions: input.profile.promptActions(t.state.available_actions),
    action: t.action,
    next_state: t.next_state.text,
    reward: formatReward(t.reward),
    done: String(t.done),
  });
  return [
    { role: 'system', content: system },
    { role: 'user', content: user },
  ];
};

/** The follow-up after a refused reasoning answer. */
export const reasoningReask = (templates: AnnotationTemplates, reason: string): string =>
  fillTemplate(templateText(templates, 'reasoning-reask.md'), { reason, answer_format: REASONING_ANSWER_FORMAT });
