import type { TimeoutOptions } from '../env/env.js';
import { RetrievalNoMatchError } from '../env/errors.js';
import type { Observation } from '../protocol/index.js';
import type { ExperienceModel, ExperiencePrediction, ExperienceRequest } from './experience-model.js';

/** What the retrieval model needs from a recorded transition. */
export interface RecordedTransition {
  id: string;
  /** The recorded state; its instruction is swapped for the current one in the answer. */
  state: { text: string; instruction: string };
  action: string;
  next_state: { text: string };
  reward: number;
  done: boolean;
}

/** One retrieval hit: exact canonical-key hits have similarity 1. */
export interface RetrievalHit {
  id: string;
  similarity: number;
  match: 'exact' | 'nearest';
  transition: RecordedTransition;
}

/** Top-k recorded transitions for (state, action), restricted to one action kind. */
export type Retrieve = (
  query: { state: Observation; action: string },
  options: { k: number; actionKind: string; exactOnly?: boolean },
) => RetrievalHit[] | Promise<RetrievalHit[]>;

export interface RetrievalExperienceModelOptions {
  retrieve: Retrieve;
  /** The action kind (`click`, `search`, …) neighbours must share. */
  actionKind: (action: string) => string;
  /** Candidates looked at before choosing one. Default 4 (DreamGym's k). */
  candidates?: number;
}

const sameAction = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * Picks the answer among the candidates: an exact (state key, action) hit first, then among the
 * nearest neighbours one whose action string is the same (the same button on a similar page),
 * then the most similar. Ties keep retrieval order.
 */
export const chooseHit = (hits: readonly RetrievalHit[], action: string): RetrievalHit | undefined =>
  hits.find((h) => h.match === 'exact') ??
  hits.filter((h) => sameAction(h.transition.action, action)).sort((a, b) => b.similarity - a.similarity)[0] ??
  [...hits].sort((a, b) => b.similarity - a.similarity)[0];

/**
 * The recorded next state shows the recorded episode's instruction; the dreamed one must show
 * this episode's, as the real site would.
 */
export const swapInstruction = (text: string, recorded: string | undefined, current: string): string =>
  recorded === undefined || recorded === '' || recorded === current ? text : text.split(recorded).join(current);

/**
 * The embedded default experience model (no LLM): a lookup table over recorded transitions. The
 * next state, reward and done of a step are those of the nearest recorded transition: an exact
 * match on the site profile's canonical (state key, action) first, else the nearest neighbour by
 * embedding among transitions with the same action kind. It cannot imagine anything it has not
 * seen, and every prediction says so (`info.lookup_table`, the source transition id and its
 * similarity).
 */
export class RetrievalExperienceModel implements ExperienceModel {
  readonly name = 'retrieval';
  readonly kind = 'retrieval' as const;
  private readonly candidates: number;

  constructor(private readonly options: RetrievalExperienceModelOptions) {
    this.candidates = options.candidates ?? 4;
  }

  async predict(request: ExperienceRequest, options?: TimeoutOptions): Promise<ExperiencePrediction> {
    options?.signal?.throwIfAborted();
    const kind = this.options.actionKind(request.action);
    const hits = await this.options.retrieve({ state: request.state, action: request.action }, { k: this.candidates, actionKind: kind, exactOnly: true });
    const hit = chooseHit(hits, request.action);
    if (hit === undefined) {
      throw new RetrievalNoMatchError(
        `the retrieval model has no recorded "${kind}" transition to answer "${request.action}" with: add seed trajectories with such actions to --buffer, or use an LLM experience model (--model openai:NAME)`,
        { details: { action: request.action, action_kind: kind } },
      );
    }
    const how = hit.match === 'exact' ? 'exact canonical-key match' : `nearest neighbour, cosine ${hit.similarity.toFixed(3)}`;
    return {
      reasoning: `lookup table: the recorded outcome of transition ${hit.id} (${how})`,
      next_state: swapInstruction(hit.transition.next_state.text, hit.transition.state?.instruction, request.instruction),
      reward: hit.transition.reward,
      done: hit.transition.done,
      retrieved: hits.map((h) => h.id),
      info: { lookup_table: true, match: hit.match, similarity: hit.similarity, source_transition: hit.id },
    };
  }
}
