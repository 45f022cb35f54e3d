import { fillTemplate } from '../../src/llm/prompt-templates.js';
import type { ChatMessage } from '../../src/llm/chat-completion.js';
import type { SiteProfile, Transition } from '../../src/protocol/index.js';
import { templateText, type AnnotationTemplates } from './annotation-prompts.js';
import { formatReward, REFLECTION_ANSWER_FORMAT } from './teacher-answer.js';

/** What the teacher is shown for one expert state with branches. */
export interface ReflectionPromptInput {
  profile: Pick<SiteProfile, 'env' | 'prompts' | 'promptActions'>;
  itemId: string;
  /** The expert's step at the state: its action and real outcome. */
  expert: Transition;
  /** The alternatives really taken at the same state, with their real outcomes. */
  alternatives: readonly Transition[];
}

/** The teacher's messages for one state: the state, the expert action and its real outcome, every alternative and its real outcome. */
export const reflectionMessages = (templates: AnnotationTemplates, input: ReflectionPromptInput): ChatMessage[] => {
  const { expert } = input;
  const alternatives = input.alternatives
    .map((a, i) =>
      fillTemplate(templateText(templates, 'reflection-alternative.md'), { index: String(i + 1), action: a.action, next_state: a.next_state.text, reward: formatReward(a.reward), done: String(a.done) }),
    )
    .join('\n');
  const system = fillTemplate(templateText(templates, 'reflection-system.md'), {
    site: input.profile.prompts.policySite,
    state_format: input.profile.prompts.stateFormat,
    answer_format: REFLECTION_ANSWER_FORMAT,
    env: input.profile.env,
  });
  const user = fillTemplate(templateText(templates, 'reflection-user.md'), {
    item_id: input.itemId,
    instruction: expert.state.instruction,
    state: expert.state.text,
    page_type: expert.state.page_type ?? 'unknown',
    available_actions: input.profile.promptActions(expert.state.available_actions),
    expert_action: expert.action,
    expert_next_state: expert.next_state.text,
    expert_reward: formatReward(expert.reward),
    expert_done: String(expert.done),
    alternatives,
    alternative_count: String(input.alternatives.length),
  });
  return [
    { role: 'system', content: system },
    { role: 'user', content: user },
  ];
};

/** The follow-up after a refused reflection answer. */
export const reflectionReask = (templates: AnnotationTemplates, reason: string): string =>
  fillTemplate(templateText(templates, 'reflection-reask.md'), { reason, answer_format: REFLECTION_ANSWER_FORMAT });
