import { createBufferRetrieve } from '../../src/dream/buffer-retrieve.js';
import { EXPERIENCE_MODEL_DEFAULTS } from '../../src/dream/openai-experience-model.js';
import type { Retrieve } from '../../src/dream/retrieval-experience-model.js';
import { ConfigInvalidError } from '../../src/env/errors.js';
import { openAIModelOf } from '../../src/llm/openai-model-flag.js';
import type { EnvName, SiteProfile } from '../../src/protocol/index.js';
import { ANNOTATE_DEFAULTS } from './annotate-defaults.js';
import type { AnnotationItem } from './annotation-item.js';
import type { AnnotationKind } from './annotation-line.js';
import type { AnnotationTemplates } from './annotation-prompts.js';
import type { AnnotationSource } from './annotation-sources.js';
import { reasoningBuffers, reasoningItems } from './reasoning-items.js';
import { reflectionItems } from './reflection-items.js';

/** What the items are built from: the plan's options that shape them. */
export interface BuildItemsOptions {
  kind: AnnotationKind;
  profileFor: (env: EnvName) => Promise<SiteProfile>;
  /** `hashed` (default) or `openai:NAME`. */
  embed?: string | undefined;
  embedBaseUrl?: string | undefined;
  /** Reasoning: steps of history shown. Default `ANNOTATE_DEFAULTS.historyLength`. */
  historyLength?: number | undefined;
  /** Reasoning: demonstrations shown. Default `ANNOTATE_DEFAULTS.k`. */
  k?: number | undefined;
}

/**
 * The items of a run: the sites' profiles (from the registry, through the CLI), and for reasoning
 * the experience model's retrieval over every real transition of the sources, per site.
 * `close` stops the retrieval indexes following their buffers.
 */
export const buildAnnotationItems = async (options: BuildItemsOptions, sources: readonly AnnotationSource[], templates: AnnotationTemplates): Promise<{ items: AnnotationItem[]; close: () => void }> => {
  const envs = [...new Set(sources.flatMap((s) => s.transitions.map((t) => t.env)))];
  const profiles = new Map<EnvName, SiteProfile>();
  for (const env of envs) profiles.set(env, await options.profileFor(env));
  const profileFor = (env: EnvName): SiteProfile => profiles.get(env) as SiteProfile;
  if (options.kind === 'reflection') return { items: reflectionItems({ sources, templates, profileFor }), close: () => undefined };

  const embedFlag = options.embed ?? 'hashed';
  const embedModel = openAIModelOf('--embed', embedFlag);
  if (embedModel === undefined && embedFlag !== 'hashed') throw new ConfigInvalidError(`--embed ${embedFlag}: expected hashed or openai:NAME`);
  const { buffers, groupSizes, groupOf } = reasoningBuffers(sources);
  const retrievers = new Map<EnvName, Retrieve>();
  const unsubscribes: Array<() => void> = [];
  for (const [env, buffer] of buffers) {
    const built = await createBufferRetrieve({ profile: profileFor(env), buffer, embedModel, embedBaseUrl: options.embedBaseUrl });
    retrievers.set(env, built.retrieve);
    unsubscribes.push(built.unsubscribe);
  }
  const items = reasoningItems(
    {
      sources, templates, profileFor, retrieveFor: (env) => retrievers.get(env) ?? (() => []),
      historyLength: options.historyLength ?? ANNOTATE_DEFAULTS.historyLength, k: options.k ?? ANNOTATE_DEFAULTS.k,
      maxContextStateChars: EXPERIENCE_MODEL_DEFAULTS.maxContextStateChars,
    },
    { groupSizes, groupOf },
  );
  if (items.length === 0) throw new ConfigInvalidError(`--from ${sources.map((s) => s.runDir).join(' ')}: no real transitions to annotate`);
  return { items, close: () => unsubscribes.forEach((u) => u()) };
};

