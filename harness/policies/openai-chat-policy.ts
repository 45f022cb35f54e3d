import type { TimeoutOptions } from '../../src/env/env.js';
import { requestChatCompletion, type ChatMessage } from '../../src/llm/chat-completion.js';
import { ConcurrencyLimiter, DEFAULT_LLM_CONCURRENCY } from '../../src/llm/concurrency-limiter.js';
import { withDeadline } from '../../src/env/deadline.js';
import { createOpenAIRoleClient, type OpenAIEndpointOptions } from '../../src/llm/openai-client.js';
import { TokenUsageMeter, type TokenUsage } from '../../src/llm/token-usage.js';
import type { HistoryEntry, Policy, PolicyDecision } from '../../src/env/policy.js';
import type { Observation, SiteProfile, Task } from '../../src/protocol/index.js';

/** Options of `createOpenAIChatPolicy` (`--policy openai:NAME`). */
export interface OpenAIChatPolicyOptions extends OpenAIEndpointOptions {
  /** Model name as the endpoint knows it. */
  model: string;
  /** Sampling temperature. Default 0.7 (rollouts for RL want some exploration). */
  temperature?: number;
  /** Most tokens of one reply (thinking included). Default 512. */
  maxTokens?: number;
  /** Re-asks after a reply without a usable `<action>`. Default 2. */
  formatRetries?: number;
  /** The site: names it in the prompt, lists the admissible actions, and an `<action>` its grammar cannot parse counts as a format error. */
  profile: SiteProfile;
  /** Past steps shown (verl-agent's WebShop setting). Default 2. */
  historyLength?: number;
  /** Longest observation text of a past step; longer ones lose their middle. Default 1500 characters. */
  maxHistoryObservationChars?: number;
  /** Most requests in flight at once from this policy. Default 16. */
  concurrency?: number;
}

export const OPENAI_CHAT_POLICY_DEFAULTS = {
  temperature: 0.7,
  maxTokens: 512,
  formatRetries: 2,
  historyLength: 2,
  maxHistoryObservationChars: 1500,
  concurrency: DEFAULT_LLM_CONCURRENCY,
} as const;

export interface OpenAIChatPolicy extends Policy {
  /**
   * Acts like any policy; `options` bounds the whole decision (re-asks included) with STEP_TIMEOUT
   * and honours an abort signal.
   */
  act(observation: Observation, history: readonly HistoryEntry[], task: Task, options?: TimeoutOptions): Promise<PolicyDecision>;
  /** Tokens and calls of every request so far (re-asks included). */
  usage(): TokenUsage;
}

const trimMiddle = (text: string, max: number): string => {
  if (text.length <= max) return text;
  const head = Math.ceil((max * 2) / 3);
  return `${text.slice(0, head)} […] ${text.slice(text.length - (max - head))}`;
};

/** The user prompt of one step, in the style of verl-agent's WebShop template. */
export const chatPolicyPrompt = (
  observation: Observation,
  history: readonly HistoryEntry[],
  task: Task,
  options: { profile: Pick<SiteProfile, 'admissibleActions' | 'prompts'>; historyLength: number; maxHistoryObservationChars: number },
): string => {
  const instruction = observation.instruction || task.instruction || '';
  const shown = options.historyLength > 0 ? history.slice(-options.historyLength) : [];
  const first = history.length - shown.length;
  const past = shown
    .map((entry, i) => `[Observation ${first + i + 1}: '${trimMiddle(entry.observation.text, options.maxHistoryObservationChars)}', Action ${first + i + 1}: '${entry.action}']`)
    .join('\n');
  const lines = [
    `You are an expert autonomous agent operating in ${options.profile.prompts.policySite}.`,
    `Your task is to: ${instruction}.`,
    history.length === 0
      ? 'This is the first step.'
      : `Prior to this step, you have already taken ${history.length} step(s). Below are the most recent ${shown.length} observations and the corresponding actions you took:\n${past}`,
    ...(observation.last_action_error ? [`Your last action did not work: ${observation.last_action_error}.`] : []),
    `You are now at step ${history.length + 1} and your current observation is: ${observation.text}.`,
    `Your admissible actions of the current situation are: [\n${options.profile.admissibleActions(observation.available_actions).map((a) => `'${a}'`).join(',\n')}\n].`,
    '',
    "Now it's your turn to take one action for the current step.",
    'You should first reason step-by-step about the current situation, then think carefully which admissible action best advances the goal. This reasoning process MUST be enclosed within <think> </think> tags.',
    "Once you've finished your reasoning, you should choose an admissible action for current step and present it within <action> </action> tags.",
  ];
  return lines.join('\n');
};

const lastTag = (text: string, tag: string): string | undefined => {
  const matches = [...text.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'gi'))];
  return matches.at(-1)?.[1]?.trim();
};

/** The action and thought of a reply, or why it has no usable action. */
export const parseChatPolicyReply = (reply: string, profile?: SiteProfile): { ok: true; action: string; thought?: string } | { ok: false; reason: string; thought?: string } => {
  const thought = lastTag(reply, 'think');
  const withThought = thought === undefined ? {} : { thought };
  const action = lastTag(reply, 'action');
  if (action === undefined || action === '') return { ok: false, reason: 'no <action>…</action> in the reply', ...withThought };
  if (profile) {
    const parsed = profile.parseAction(action);
    if (!parsed.ok) return { ok: false, reason: `"${action.slice(0, 80)}" is not an action: ${parsed.reason}`, ...withThought };
  }
  return { ok: true, action, ...withThought };
};

/**
 * A policy on any OpenAI-compatible chat endpoint, prompted as verl-agent prompts its agents
 * (task, recent history, the current observation, the admissible actions; `<think>` then
 * `<action>`). A reply with no usable action is asked again up to `formatRetries` times; after
 * that the raw reply itself is returned as the action, so the environment records an invalid
 * step (reward 0) instead of the run crashing. HTTP failures throw MODEL_REQUEST_FAILED.
 */
export const createOpenAIChatPolicy = (options: OpenAIChatPolicyOptions): OpenAIChatPolicy => {
  const role = createOpenAIRoleClient({ ...options, role: 'policy' });
  const limiter = new ConcurrencyLimiter(options.concurrency ?? OPENAI_CHAT_POLICY_DEFAULTS.concurrency);
  const meter = new TokenUsageMeter();
  const formatRetries = Math.max(0, options.formatRetries ?? OPENAI_CHAT_POLICY_DEFAULTS.formatRetries);
  return {
    name: role.name,
    usage: () => meter.snapshot(),
    act: (observation, history, task, timeout = {}) =>
      withDeadline({ what: `${role.name} policy decision`, ...timeout }, async ({ signal }) => {
        const prompt = chatPolicyPrompt(observation, history, task, {
          profile: options.profile,
          historyLength: options.historyLength ?? OPENAI_CHAT_POLICY_DEFAULTS.historyLength,
          maxHistoryObservationChars: options.maxHistoryObservationChars ?? OPENAI_CHAT_POLICY_DEFAULTS.maxHistoryObservationChars,
        });
        const messages: ChatMessage[] = [{ role: 'user', content: prompt }];
        let raw = '';
        let thought: string | undefined;
        for (let attempt = 0; attempt <= formatRetries; attempt += 1) {
          const reply = await limiter.run(
            () =>
              requestChatCompletion(
                role,
                { messages, temperature: options.temperature ?? OPENAI_CHAT_POLICY_DEFAULTS.temperature, maxTokens: options.maxTokens ?? OPENAI_CHAT_POLICY_DEFAULTS.maxTokens },
                signal,
              ),
            signal,
          );
          meter.add(reply.usage);
          raw = reply.content;
          const parsed = parseChatPolicyReply(raw, options.profile);
          thought = parsed.thought;
          if (parsed.ok) return { action: parsed.action, ...(parsed.thought === undefined ? {} : { thought: parsed.thought }) };
          messages.push(
            { role: 'assistant', content: raw },
            { role: 'user', content: `Your reply could not be used: ${parsed.reason}. Reason within <think> </think>, then give exactly one admissible action within <action> </action>.` },
          );
        }
        // Out of re-asks: the env, not the policy, judges the raw text (an invalid-action step).
        return { action: raw.trim(), thought: thought ?? raw };
      }),
  };
};
