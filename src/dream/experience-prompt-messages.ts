import type { ChatMessage } from '../llm/chat-completion.js';
import type { SiteProfile } from '../protocol/index.js';
import type { ExperienceRequest, RetrievedTransition } from './experience-model.js';
import { EXPERIENCE_OUTPUT_FORMAT } from './experience-output.js';
import { fillTemplate } from '../llm/prompt-templates.js';
import type { ExperiencePromptTemplates } from './experience-prompt.js';

/** How one experience prompt is put together from a request. */
export interface ExperiencePromptInput {
  profile: Pick<SiteProfile, 'env' | 'prompts' | 'promptActions'>;
  request: ExperienceRequest;
  /** The retrieved transitions shown as demonstrations (already cut to k). */
  demonstrations: readonly RetrievedTransition[];
  /** The last H steps of the request's history are shown. */
  historyLength: number;
  /** Longest state text shown for a history step or a demonstration (the current state is never cut). */
  maxContextStateChars: number;
}

/**
 * Cuts `text` to about `max` characters by dropping its middle: the head of a page (instruction,
 * page header) and its tail (the last items, the buttons) say the most about where the page is.
 */
export const trimMiddle = (text: string, max: number): string => {
  if (text.length <= max) return text;
  const marker = ' […] ';
  const room = Math.max(0, max - marker.length);
  const head = Math.ceil((room * 2) / 3);
  return `${text.slice(0, head).trimEnd()}${marker}${text.slice(text.length - (room - head)).trimStart()}`;
};

const formatNumber = (n: number): string => (Number.isInteger(n) ? String(n) : String(Number(n.toFixed(4))));

/** The system message: the site's own description and state format, the simulation rules, the output format. */
export const experienceSystemMessage = (templates: ExperiencePromptTemplates, profile: Pick<SiteProfile, 'env' | 'prompts'>): string =>
  fillTemplate(templates.text['experience-system.md'], {
    site_system: profile.prompts.system,
    state_format: profile.prompts.stateFormat,
    output_format: EXPERIENCE_OUTPUT_FORMAT,
    env: profile.env,
  });

/** The user message of one prediction. */
export const experienceUserMessage = (templates: ExperiencePromptTemplates, input: ExperiencePromptInput): string => {
  const { request, demonstrations, maxContextStateChars: max } = input;
  const history = input.historyLength > 0 ? request.history.slice(-input.historyLength) : [];
  const historyText = history
    .map((entry, i) =>
      fillTemplate(templates.text['experience-history-step.md'], {
        step: String(i + 1),
        state: trimMiddle(entry.state.text, max),
        action: entry.action,
        reward: formatNumber(entry.reward),
      }),
    )
    .join('\n');
  const demonstrationText = demonstrations
    .map((demo, i) =>
      fillTemplate(templates.text['experience-demonstration.md'], {
        index: String(i + 1),
        id: demo.id,
        similarity: demo.similarity.toFixed(3),
        state: trimMiddle(demo.state, max),
        action: demo.action,
        next_state: trimMiddle(demo.next_state, max),
        reward: formatNumber(demo.reward),
        done: String(demo.done),
      }),
    )
    .join('\n');
  return fillTemplate(templates.text['experience-user.md'], {
    instruction: request.instruction,
    history: historyText === '' ? '(none: this is the first step of the episode)' : historyText,
    history_length: String(history.length),
    demonstrations: demonstrationText === '' ? '(none retrieved)' : demonstrationText,
    demonstration_count: String(demonstrations.length),
    state: request.state.text,
    page_type: request.state.page_type ?? 'unknown',
    available_actions: input.profile.promptActions(request.state.available_actions),
    action: request.action,
  });
};

/** System and user message of one prediction. */
export const buildExperienceMessages = (templates: ExperiencePromptTemplates, input: ExperiencePromptInput): ChatMessage[] => [
  { role: 'system', content: experienceSystemMessage(templates, input.profile) },
  { role: 'user', content: experienceUserMessage(templates, input) },
];

/** The follow-up message after an answer that could not be parsed. */
export const experienceReaskMessage = (templates: ExperiencePromptTemplates, reason: string): string =>
  fillTemplate(templates.text['experience-reask.md'], { reason, output_format: EXPERIENCE_OUTPUT_FORMAT });
