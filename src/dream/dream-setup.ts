import { stat } from 'node:fs/promises';
import type { Env, EnvFactory } from '../env/env.js';
import { ConfigInvalidError } from '../env/errors.js';
import { openAIModelOf } from '../llm/openai-model-flag.js';
import { DreamEnv } from '../dream/dream-env.js';
import { DEFAULT_BUFFER_MAX } from './default-buffer-max.js';
import type { ExperienceModel } from '../dream/experience-model.js';
import { RetrievalExperienceModel } from '../dream/retrieval-experience-model.js';
import type { EnvName, SiteProfile, Task, Transition } from '../protocol/index.js';
import { actionKind, recordedProvenance, ReplayBuffer, toReplayTransition } from '../replay/index.js';
import { createBufferRetrieve } from './buffer-retrieve.js';

/** How a dream environment is put together: the profile, the buffer, the experience model, the embedder. */
export interface DreamSetupOptions {
  env: EnvName;
  profile: SiteProfile;
  /** Run directories written by `collect`/`run`, or transitions JSONL files. */
  buffers: readonly string[];
  /** `retrieval` (default, the embedded lookup table) or `openai:NAME`. */
  model?: string;
  modelBaseUrl?: string;
  /** `hashed` (default, hashed TF-IDF) or `openai:NAME`. */
  embed?: string;
  embedBaseUrl?: string;
  /** Dream steps before truncation. Default: the profile's (`SiteProfile.maxSteps`). */
  maxSteps?: number;
  /** Demonstrations per LLM prediction (retrieved transitions). Default 4. */
  k?: number;
  /** Steps of history in the model's prompt. Default 4. */
  historyLength?: number;
  /** A directory of prompt templates overriding the built-in ones (LLM model). */
  promptDir?: string;
  /** LLM requests in flight at once (LLM model). Default 16. */
  modelConcurrency?: number;
  /**
   * Most transitions the buffer holds (recorded + co-evolving); past it the buffer evicts the
   * oldest dream transition first, then the oldest overall. Default `DEFAULT_BUFFER_MAX`.
   */
  bufferMax?: number;
  /** Told about long preparation work (embedding a buffer through an endpoint). */
  onProgress?: (message: string) => void;
}

export { DEFAULT_BUFFER_MAX };

export interface DreamSetup {
  /** Creates DreamEnvs (source `dream`). */
  factory: EnvFactory;
  buffer: ReplayBuffer;
  model: ExperienceModel;
  /** The distinct tasks recorded in the buffer, with their instructions. */
  tasks(): Task[];
  /** Adds a transition of this run to the buffer (the buffer co-evolves with the run). */
  record(transition: Transition): void;
  /** Dream envs created and not closed yet. */
  readonly openEnvs: number;
  /** What goes into the run manifest: model, embedder, buffer. */
  manifest: Record<string, unknown>;
  close(): Promise<void>;
}

const loadBuffers = async (buffer: ReplayBuffer, paths: readonly string[]): Promise<void> => {
  for (const path of paths) {
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(path)).isDirectory();
    } catch {
      throw new ConfigInvalidError(`--buffer ${path}: no such file or directory (give a run directory written by collect/run, or a transitions JSONL file)`);
    }
    if (isDirectory) await buffer.loadRunDirectory(path, recordedProvenance);
    else await buffer.loadJsonl(path, recordedProvenance);
  }
};

/**
 * Loads the replay buffer, indexes it (hashed TF-IDF, or an embeddings endpoint), and builds the
 * experience model (the retrieval lookup table, or an LLM behind an OpenAI-compatible endpoint)
 * and a factory of DreamEnvs speaking the site profile's format. A dream run needs no site.
 */
export const createDreamSetup = async (options: DreamSetupOptions): Promise<DreamSetup> => {
  const { profile } = options;
  const modelFlag = options.model ?? 'retrieval';
  const embedFlag = options.embed ?? 'hashed';
  const llmModel = openAIModelOf('--model', modelFlag);
  if (llmModel === undefined && modelFlag !== 'retrieval') throw new ConfigInvalidError(`--model ${modelFlag}: expected retrieval or openai:NAME`);
  const embedModel = openAIModelOf('--embed', embedFlag);
  if (embedModel === undefined && embedFlag !== 'hashed') throw new ConfigInvalidError(`--embed ${embedFlag}: expected hashed or openai:NAME`);

  const bufferMax = options.bufferMax ?? DEFAULT_BUFFER_MAX;
  if (!Number.isSafeInteger(bufferMax) || bufferMax < 1) throw new ConfigInvalidError(`--buffer-max ${String(bufferMax)}: expected a positive integer`);
  const buffer = new ReplayBuffer({ maxSize: bufferMax });
  await loadBuffers(buffer, options.buffers);
  if (buffer.size === 0 && llmModel === undefined) {
    throw new ConfigInvalidError(
      options.buffers.length === 0
        ? 'the retrieval experience model needs recorded transitions: pass --buffer DIR (a run directory from `dreambridge collect`) or use --model openai:NAME'
        : `--buffer ${options.buffers.join(', ')}: no transitions recorded there; the retrieval experience model needs some (collect seeds with \`dreambridge collect\`)`,
    );
  }
  const { retrieve, unsubscribe } = await createBufferRetrieve({ profile, buffer, embedModel, embedBaseUrl: options.embedBaseUrl, onProgress: options.onProgress });

  let model: ExperienceModel;
  let modelManifest: Record<string, unknown>;
  if (llmModel === undefined) {
    model = new RetrievalExperienceModel({ retrieve, actionKind });
    modelManifest = { name: model.name, kind: 'retrieval', note: 'embedded default: a lookup table over recorded transitions, no LLM' };
  } else {
    const { createOpenAIExperienceModel } = await import('./openai-model-setup.js');
    const built = createOpenAIExperienceModel({
      model: llmModel,
      profile,
      retrieve,
      ...(options.modelBaseUrl === undefined ? {} : { baseURL: options.modelBaseUrl }),
      ...(options.k === undefined ? {} : { k: options.k }),
      ...(options.historyLength === undefined ? {} : { historyLength: options.historyLength }),
      ...(options.promptDir === undefined ? {} : { promptDir: options.promptDir }),
      ...(options.modelConcurrency === undefined ? {} : { concurrency: options.modelConcurrency }),
    });
    model = built.model;
    modelManifest = built.manifest;
  }

  const byProvenance: Record<string, number> = {};
  for (const t of buffer.values()) byProvenance[t.provenance] = (byProvenance[t.provenance] ?? 0) + 1;
  const open = new Set<Env>();
  const maxSteps = options.maxSteps ?? profile.maxSteps;
  return {
    buffer,
    model,
    factory: {
      source: 'dream',
      create: () => {
        const env = new DreamEnv({
          model,
          profile,
          maxSteps,
          ...(options.historyLength === undefined ? {} : { historyLength: options.historyLength }),
          initialState: (task) => buffer.initialStates(task.task_id)[0]?.text,
          // A closed env leaves the set, so a long-running server holds only the open ones.
          onClose: () => open.delete(env),
        });
        open.add(env);
        return Promise.resolve(env);
      },
      close: async () => {
        await Promise.all([...open].map((env) => env.close()));
        open.clear();
      },
    },
    get openEnvs() {
      return open.size;
    },
    tasks: () => buffer.tasks().map((t) => ({ task_id: t.task_id, env: t.env, instruction: t.instruction })),
    record: (t) => {
      buffer.append(toReplayTransition(t, t.source === 'dream' ? 'dream' : 'real'));
    },
    manifest: {
      experience_model: modelManifest,
      embedder: embedModel === undefined ? { name: 'hashed', kind: 'embedded (hashed TF-IDF of word n-grams)' } : { name: `openai:${embedModel}`, kind: 'llm' },
      buffer: { paths: [...options.buffers], max: bufferMax, transitions: buffer.size, by_provenance: byProvenance, tasks: buffer.tasks().length },
    },
    close: async () => {
      unsubscribe();
    },
  };
};
