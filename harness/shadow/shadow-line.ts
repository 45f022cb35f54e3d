import type { ExperiencePrediction } from '../../src/dream/experience-model.js';
import { textSimilarity, type TextSimilarityOptions } from '../../src/fidelity/text-similarity.js';
import { shadowLineSchema, shadowSampleSchema, type Observation, type ShadowLine, type ShadowSample, type SiteProfile } from '../../src/protocol/index.js';

/** What a shadow line is built from: the real step, the state it was taken in, and the predictions. */
export interface ShadowLineInput {
  runId: string;
  episodeId: string;
  taskId: string;
  step: number;
  state: Observation;
  action: string;
  real: { observation: Observation; reward: number; done: boolean };
  /** One entry per requested prediction, in request order. */
  outcomes: ReadonlyArray<{ ok: true; prediction: ExperiencePrediction } | { ok: false; error: string }>;
  model: { name: string; kind: 'llm' | 'retrieval' };
}

/**
 * The canonical key of a state *as the dream side can see it*: from its text only. An experience
 * model answers with a text and no URL; the WebShop profile reads chosen options and the ASIN of
 * item pages from the URL and, without one, keys item pages by a hash of their title instead, so a
 * URL key never equals a URL-less key of the same page. Comparing the real state's text-only key
 * with the prediction's is the fair comparison: it asks whether the model predicted the state it
 * can express, and differences the text cannot show (options selected but not printed) are not
 * counted against it.
 */
export const textStateKey = (profile: SiteProfile, text: string): { key: string; version: string } => profile.canonicalKey({ text });

/** Page type of the state the action was taken in: the profile's reading of its text first. */
export const statePageType = (profile: SiteProfile, state: Observation): string =>
  profile.pageType(state.text) ?? state.page_type ?? 'unknown';

/** A prediction as a validated sample, or the reason it cannot be one (e.g. a NaN reward). */
export const shadowSample = (
  profile: SiteProfile,
  prediction: ExperiencePrediction,
  realText: string,
  similarity: TextSimilarityOptions = {},
): { ok: true; sample: ShadowSample } | { ok: false; error: string } => {
  const parsed = shadowSampleSchema.safeParse({
    text: prediction.next_state,
    reward: prediction.reward,
    done: prediction.done,
    reasoning: prediction.reasoning,
    key: typeof prediction.next_state === 'string' ? textStateKey(profile, prediction.next_state).key : '',
    text_similarity: typeof prediction.next_state === 'string' ? textSimilarity(prediction.next_state, realText, similarity) : 0,
    retrieved: prediction.retrieved,
  });
  if (parsed.success) return { ok: true, sample: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, error: `MODEL_OUTPUT_UNPARSEABLE: invalid prediction${issue ? ` (${issue.path.join('.')}: ${issue.message})` : ''}` };
};

/**
 * The shadow line of one real step (validated against the schema). `eps_R` = mean |r̂ − r| and
 * `tv_hat` = share of samples whose key differs from `key_real`. A step whose predictions all
 * failed is still written, to count the failures: with no sample it carries eps_R 0 and tv_hat 1
 * (no prediction matched), and estimators leave it out.
 */
export const buildShadowLine = (input: ShadowLineInput, profile: SiteProfile, similarity: TextSimilarityOptions = {}): ShadowLine => {
  const realText = input.real.observation.text;
  const keyReal = textStateKey(profile, realText);
  const samples: ShadowSample[] = [];
  const errors: string[] = [];
  for (const outcome of input.outcomes) {
    if (!outcome.ok) {
      errors.push(outcome.error);
      continue;
    }
    const checked = shadowSample(profile, outcome.prediction, realText, similarity);
    if (checked.ok) samples.push(checked.sample);
    else errors.push(checked.error);
  }
  const mismatches = samples.filter((s) => s.key !== keyReal.key).length;
  const rewardError = samples.reduce((sum, s) => sum + Math.abs(s.reward - input.real.reward), 0);
  return shadowLineSchema.parse({
    run_id: input.runId,
    episode_id: input.episodeId,
    task_id: input.taskId,
    step: input.step,
    page_type: statePageType(profile, input.state),
    action: input.action,
    real_text: realText,
    reward_real: input.real.reward,
    done_real: input.real.done,
    key_real: keyReal.key,
    key_version: keyReal.version,
    samples,
    keys_pred: samples.map((s) => s.key),
    eps_R: samples.length === 0 ? 0 : rewardError / samples.length,
    tv_hat: samples.length === 0 ? 1 : mismatches / samples.length,
    failed: errors.length,
    ...(errors.length === 0 ? {} : { errors }),
    model: input.model.name,
    model_kind: input.model.kind,
  });
};
