import { withDeadline } from '../env/deadline.js';
import type { TimeoutOptions } from '../env/env.js';
import { ModelOutputUnparseableError, ModelRequestFailedError } from '../env/errors.js';
import { requestChatCompletion, type ChatChoice, type ChatCompletionReply, type ChatMessage } from '../llm/chat-completion.js';
import { ConcurrencyLimiter, DEFAULT_LLM_CONCURRENCY } from '../llm/concurrency-limiter.js';
import { createOpenAIRoleClient, type OpenAIEndpointOptions, type OpenAIRoleClient } from '../llm/openai-client.js';
import { addTokenUsage, emptyTokenUsage, splitTokenUsage, TokenUsageMeter, type TokenUsage } from '../llm/token-usage.js';
import type { Observation, SiteProfile } from '../protocol/index.js';
import type { ExperienceModel, ExperiencePrediction, ExperienceRequest, RetrievedTransition } from './experience-model.js';
import { parseExperienceOutput } from './experience-output.js';
import { buildExperienceMessages, experienceReaskMessage } from './experience-prompt-messages.js';
import { loadExperiencePromptTemplates, type ExperiencePromptTemplates } from './experience-prompt.js';

/** Finds demonstrations for a (state, action): the caller wires a RetrievalIndex over the replay buffer. */
export type RetrieveTransitions = (state: Observation, action: string, k: number) => RetrievedTransition[] | Promise<RetrievedTransition[]>;

/** A 400 or 422 answer: the endpoint refused the request as sent (not a transient failure). */
const isRequestRefusal = (error: unknown): boolean => {
  const status = error instanceof ModelRequestFailedError ? error.details['status'] : undefined;
  return status === 400 || status === 422;
};

/** Options of `OpenAIExperienceModel` (`--model openai:NAME`). */
export interface OpenAIExperienceModelOptions extends OpenAIEndpointOptions {
  /** Model name as the endpoint knows it. */
  model: string;
  /** The site profile: its `prompts.system` and `prompts.stateFormat` open the system prompt. */
  profile: SiteProfile;
  /** Sampling temperature: above 0 so that K samples of one step can disagree (fidelity's TV estimate). Default 0.7. */
  temperature?: number;
  /** Most tokens of one answer (reasoning + next state). Default 1024. */
  maxTokens?: number;
  /** Re-asks after an answer without a readable next state. Default 2. */
  parseRetries?: number;
  /** Most requests in flight at once from this model. Default 16. */
  concurrency?: number;
  /** Steps of the episode's history shown (the last H of what the env passes). Default 4. */
  historyLength?: number;
  /** Demonstrations retrieved and shown. Default 4. */
  k?: number;
  /** Finds the demonstrations; without it the prompt has none. */
  retrieve?: RetrieveTransitions;
  /** A directory whose `experience-*.md` files replace the built-in templates of the same name. */
  promptDir?: string;
  /** Longest state text of a history step or demonstration; longer ones lose their middle. Default 2000 characters. */
  maxContextStateChars?: number;
}

export const EXPERIENCE_MODEL_DEFAULTS = {
  temperature: 0.7,
  maxTokens: 1024,
  parseRetries: 2,
  concurrency: DEFAULT_LLM_CONCURRENCY,
  historyLength: 4,
  k: 4,
  maxContextStateChars: 2000,
} as const;

/**
 * The experience model of DreamGym on any OpenAI-compatible chat endpoint (vLLM, SGLang, Ollama,
 * OpenAI): task, recent history, top-k real transitions as demonstrations, current state and
 * action in; reasoning, next state, reward and done out, in the tagged format. An answer without a
 * readable next state is asked again, then fails with MODEL_OUTPUT_UNPARSEABLE carrying every raw
 * answer: a state is never invented.
 */
export class OpenAIExperienceModel implements ExperienceModel {
  readonly kind = 'llm' as const;
  readonly name: string;
  /** sha256 of the prompt templates in use (for run manifests). */
  readonly promptHash: string;
  readonly templates: ExperiencePromptTemplates;
  private readonly role: OpenAIRoleClient;
  private readonly limiter: ConcurrencyLimiter;
  private readonly meter = new TokenUsageMeter();

  constructor(private readonly options: OpenAIExperienceModelOptions) {
    this.role = createOpenAIRoleClient({ ...options, role: 'model' });
    this.name = this.role.name;
    this.templates = loadExperiencePromptTemplates(options.promptDir);
    this.promptHash = this.templates.hash;
    this.limiter = new ConcurrencyLimiter(options.concurrency ?? EXPERIENCE_MODEL_DEFAULTS.concurrency);
  }

  /** Tokens and calls of every request so far (failed parses included: their tokens were spent). */
  usage(): TokenUsage {
    return this.meter.snapshot();
  }

  /** The messages a request is first asked with (exposed for logs, dry runs and tests). */
  async messagesFor(request: ExperienceRequest): Promise<{ messages: ChatMessage[]; demonstrations: RetrievedTransition[] }> {
    const k = this.options.k ?? EXPERIENCE_MODEL_DEFAULTS.k;
    const found = k > 0 && this.options.retrieve ? await this.options.retrieve(request.state, request.action, k) : [];
    const demonstrations = found.slice(0, k);
    const messages = buildExperienceMessages(this.templates, {
      profile: this.options.profile,
      request,
      demonstrations,
      historyLength: this.options.historyLength ?? EXPERIENCE_MODEL_DEFAULTS.historyLength,
      maxContextStateChars: this.options.maxContextStateChars ?? EXPERIENCE_MODEL_DEFAULTS.maxContextStateChars,
    });
    return { messages, demonstrations };
  }

  /**
   * The K samples of one shadowed step ask with the same request object: its messages (and the
   * retrieval behind them) are built once and shared, not K times.
   */
  private readonly built = new WeakMap<ExperienceRequest, Promise<{ messages: ChatMessage[]; demonstrations: RetrievedTransition[] }>>();

  /** Set once a request with `n` was refused and the same samples asked one by one were answered. */
  private refusesN = false;

  private build(request: ExperienceRequest): Promise<{ messages: ChatMessage[]; demonstrations: RetrievedTransition[] }> {
    let pending = this.built.get(request);
    if (pending === undefined) {
      pending = this.messagesFor(request);
      this.built.set(request, pending);
    }
    return pending;
  }

  private ask(messages: ChatMessage[], signal: AbortSignal, n = 1): Promise<ChatCompletionReply> {
    return this.limiter.run(
      () =>
        requestChatCompletion(
          this.role,
          {
            messages,
            temperature: this.options.temperature ?? EXPERIENCE_MODEL_DEFAULTS.temperature,
            maxTokens: this.options.maxTokens ?? EXPERIENCE_MODEL_DEFAULTS.maxTokens,
            n,
          },
          signal,
        ),
      signal,
    );
  }

  /**
   * Reads answers until one has a next state: `first` (a choice already received) or a fresh
   * request, then re-asks showing the model its answer and what is wrong with it.
   */
  private async complete(shared: ChatMessage[], demonstrations: RetrievedTransition[], signal: AbortSignal, first?: { choice: ChatChoice; usage: TokenUsage }): Promise<ExperiencePrediction> {
    const messages = [...shared];
    const parseRetries = Math.max(0, this.options.parseRetries ?? EXPERIENCE_MODEL_DEFAULTS.parseRetries);
    const raws: string[] = [];
    let usage = emptyTokenUsage();
    let reason = '';
    for (let attempt = 0; attempt <= parseRetries; attempt += 1) {
      let choice: ChatChoice;
      if (attempt === 0 && first) {
        choice = first.choice;
        usage = addTokenUsage(usage, first.usage);
      } else {
        const reply = await this.ask(messages, signal);
        this.meter.add(reply.usage);
        usage = addTokenUsage(usage, reply.usage);
        choice = reply;
      }
      raws.push(choice.content);
      const parsed = parseExperienceOutput(choice.content);
      if (parsed.ok) {
        return {
          reasoning: parsed.value.reasoning,
          next_state: parsed.value.nextState,
          reward: parsed.value.reward,
          done: parsed.value.done,
          retrieved: demonstrations.map((d) => d.id),
          info: {
            usage,
            ...(parsed.warnings.length > 0 ? { parse_warnings: parsed.warnings } : {}),
            ...(attempt > 0 ? { parse_retries: attempt } : {}),
            ...(choice.finishReason === 'length' ? { truncated_output: true } : {}),
          },
        };
      }
      reason = choice.finishReason === 'length' ? `${parsed.reason} (the answer was cut at maxTokens)` : parsed.reason;
      // Show the model its own answer and what is wrong with it: a plain resend tends to repeat the mistake.
      messages.push({ role: 'assistant', content: choice.content }, { role: 'user', content: experienceReaskMessage(this.templates, reason) });
    }
    throw new ModelOutputUnparseableError(`${this.name}: no readable next state after ${raws.length} answer${raws.length > 1 ? 's' : ''} (${reason})`, {
      details: { model: this.name, reason, raw: raws, usage, retrieved: demonstrations.map((d) => d.id) },
    });
  }

  predict(request: ExperienceRequest, options: TimeoutOptions = {}): Promise<ExperiencePrediction> {
    return withDeadline({ what: `${this.name} prediction`, ...options }, async ({ signal }) => {
      const { messages, demonstrations } = await this.build(request);
      return this.complete(messages, demonstrations, signal);
    });
  }

  /**
   * `n` samples in one request (`n` on the endpoint): the prompt is sent, and its tokens paid,
   * once. Each choice is read on its own; one without a next state is re-asked alone, and when the
   * endpoint answers fewer choices than asked (it ignores `n`) the rest are asked one by one. An
   * endpoint that refuses `n` (400/422) is asked one by one from then on. A request that fails
   * otherwise fails every sample. Each sample's `usage` is its share: the request's usage is
   * split evenly among the choices it returned (the meter counts it once).
   */
  predictMany(request: ExperienceRequest, n: number, options: TimeoutOptions = {}): Promise<Array<PromiseSettledResult<ExperiencePrediction>>> {
    return withDeadline({ what: `${this.name} ${n} predictions`, ...options }, async ({ signal }) => {
      const { messages, demonstrations } = await this.build(request);
      const oneByOne = () => Promise.allSettled(Array.from({ length: n }, () => this.complete(messages, demonstrations, signal)));
      if (n === 1 || this.refusesN) return oneByOne();
      let reply: ChatCompletionReply;
      try {
        reply = await this.ask(messages, signal, n);
      } catch (error) {
        if (signal.aborted) throw error;
        if (!isRequestRefusal(error)) return Array.from({ length: n }, () => ({ status: 'rejected' as const, reason: error }));
        // Some endpoints refuse `n` itself (400). Asked one by one: if that works, `n` was the
        // problem and is not sent again; if not, the request was (its samples fail as they would).
        const singles = await oneByOne();
        if (singles.some((s) => s.status === 'fulfilled')) this.refusesN = true;
        return singles;
      }
      this.meter.add(reply.usage);
      const received = reply.choices.slice(0, n);
      const shares = splitTokenUsage(reply.usage, received.length);
      const samples = Array.from({ length: n }, (_, i) => {
        const choice = received[i];
        return this.complete(messages, demonstrations, signal, choice ? { choice, usage: shares[i] ?? emptyTokenUsage() } : undefined);
      });
      return Promise.allSettled(samples);
    });
  }
}
