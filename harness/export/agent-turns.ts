import type { HistoryEntry } from '../../src/env/policy.js';
import type { Task, Transition } from '../../src/protocol/index.js';
import { chatPolicyPrompt } from '../policies/openai-chat-policy.js';
import type { PolicyPromptSettings } from './export-format.js';
import type { ExportSite } from './export-selection.js';

/**
 * The agent's side of a step in the chat policy's own answer form. A step recorded without a
 * thought (heuristic, replay and human experts) keeps the tags with nothing between them: no
 * reasoning is invented.
 */
export const policyAnswer = (thought: string | undefined, action: string): string => `<think>${thought ?? ''}</think><action>${action}</action>`;

/** The agent's side of a step in the ReAct form of AgentGym (`Thought:` / `Action:` blocks). */
export const agentGymAnswer = (thought: string | undefined, action: string): string => `Thought:\n${thought ?? ''}\n\nAction:\n${action}`;

/** The agent's side of a step in ETO's form. */
export const etoAnswer = (thought: string | undefined, action: string): string => `Thought: ${thought ?? ''}\nAction: ${action}`;

const taskOf = (t: Transition): Task => ({ task_id: t.task_id, env: t.env, instruction: t.state.instruction });

/** The user prompt the chat policy (`--policy openai:NAME`) is sent at this step, built by the policy's own builder. */
export const policyPromptAt = (t: Transition, history: readonly Transition[], site: ExportSite, settings: PolicyPromptSettings): string => {
  const entries: HistoryEntry[] = history.map((h) => ({ observation: h.state, action: h.action, reward: h.reward }));
  return chatPolicyPrompt(t.state, entries, taskOf(t), { profile: site.profile, ...settings });
};
