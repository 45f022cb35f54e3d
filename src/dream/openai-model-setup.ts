import { OpenAIExperienceModel } from '../dream/openai-experience-model.js';
import type { ExperienceModel } from '../dream/experience-model.js';
import type { Retrieve } from '../dream/retrieval-experience-model.js';
import type { SiteProfile } from '../protocol/index.js';
import { actionKind } from '../replay/index.js';
import { toRetrievedTransition } from './buffer-retrieve.js';

/** Builds the LLM experience model (`--model openai:NAME`); loaded only when one is asked for. */
export const createOpenAIExperienceModel = (options: {
  model: string;
  profile: SiteProfile;
  retrieve: Retrieve;
  baseURL?: string;
  k?: number;
  historyLength?: number;
  promptDir?: string;
  concurrency?: number;
}): { model: ExperienceModel; manifest: Record<string, unknown> } => {
  const { retrieve } = options;
  const model = new OpenAIExperienceModel({
    model: options.model,
    profile: options.profile,
    ...(options.baseURL === undefined ? {} : { baseURL: options.baseURL }),
    ...(options.k === undefined ? {} : { k: options.k }),
    ...(options.historyLength === undefined ? {} : { historyLength: options.historyLength }),
    ...(options.promptDir === undefined ? {} : { promptDir: options.promptDir }),
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    // The demonstrations: the same retrieval as the embedded model, shown to the LLM.
    retrieve: async (state, action, k) => (await retrieve({ state, action }, { k, actionKind: actionKind(action) })).map(toRetrievedTransition),
  });
  return {
    model,
    manifest: { name: model.name, kind: 'llm', prompt_hash: model.promptHash, ...(options.promptDir === undefined ? {} : { prompt_dir: options.promptDir }) },
  };
};
