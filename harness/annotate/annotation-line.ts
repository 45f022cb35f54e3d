import { z } from 'zod';

/** What `annotate` asks the teacher for: DreamGym's reasoning traces or Early Experience's reflections. */
export const annotationKindSchema = z.enum(['reasoning', 'reflection']);
export type AnnotationKind = z.infer<typeof annotationKindSchema>;

/** File names of an annotation directory (the contract `export --from` reads). */
export const annotationFileNames = {
  annotations: 'annotations.jsonl',
  manifest: 'manifest.json',
} as const;

const usageSchema = z.object({ prompt_tokens: z.number().int().nonnegative(), completion_tokens: z.number().int().nonnegative() }).loose();

/**
 * One line of `annotations.jsonl`, appended (and fsync'd) when an item is finished: `ok` with the
 * text inside the teacher's tag, or `failed` with `annotation: null` — never invented text. `raw`
 * holds every answer the teacher gave, in order. Fields may be added, never renamed or removed.
 */
export const annotationLineSchema = z
  .object({
    /** `${run_id}/${episode_id}/${step}` of the transition (reflection: of the expert step). */
    item_id: z.string().min(1),
    kind: annotationKindSchema,
    status: z.enum(['ok', 'failed']),
    source: z.object({
      /** Absolute path of the run directory the item was read from. */
      run_dir: z.string().min(1),
      /** The `run_id` of the transition line as recorded there. */
      run_id: z.string(),
      episode_id: z.string(),
      step: z.number().int().nonnegative(),
    }),
    annotation: z.string().nullable(),
    raw: z.array(z.string()),
    attempts: z.number().int().nonnegative(),
    usage: usageSchema,
    /** Why the last answer was refused (failed items), or the request error. */
    error: z.string().optional(),
    /** Reasoning: ids of the transitions shown as demonstrations (`run/episode/step`). */
    retrieved: z.array(z.string()).optional(),
    /** Reflection: the expert action, verbatim. */
    expert_action: z.string().optional(),
    /** Reflection: the observation text of the expert state, verbatim. */
    state: z.string().optional(),
    /** Reflection: the alternatives shown, with their transition lines' episode ids. */
    alternatives: z.array(z.object({ action: z.string(), episode_id: z.string(), reward: z.number() })).optional(),
    annotated_at: z.string().optional(),
  })
  .loose();

export type AnnotationLine = z.infer<typeof annotationLineSchema>;

/** `manifest.json` of an annotation directory. */
export const annotationManifestSchema = z
  .object({
    kind: z.literal('annotations'),
    annotation_kind: annotationKindSchema,
    teacher: z.object({ model: z.string(), base_url: z.string().nullable() }).loose(),
    prompt_hashes: z.record(z.string(), z.string()),
    sources: z.array(z.object({ run_dir: z.string(), run_id: z.string(), manifest_sha256: z.string() }).loose()),
    counts: z.object({ items: z.number().int().nonnegative(), ok: z.number().int().nonnegative(), failed: z.number().int().nonnegative() }).loose(),
    usage: usageSchema,
    command_line: z.array(z.string()),
    created_at: z.string(),
    versions: z.record(z.string(), z.string().nullable()),
  })
  .loose();

export type AnnotationManifest = z.infer<typeof annotationManifestSchema>;
