import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigInvalidError } from '../../src/env/errors.js';
import { episodeSchema, transitionSchema, type Episode, type Transition } from '../../src/protocol/index.js';
import { readJsonl, runFileNames, runManifestSchema, type RunManifest } from '../../src/store/index.js';

/** One annotation line as `annotate` writes it (`annotations.jsonl`). */
export const annotationItemSchema = z
  .object({
    item_id: z.string(),
    kind: z.enum(['reasoning', 'reflection']),
    status: z.enum(['ok', 'failed']),
    source: z.object({ run_dir: z.string(), run_id: z.string(), episode_id: z.string(), step: z.number().int().nonnegative() }).loose(),
    annotation: z.string().nullable(),
    expert_action: z.string().optional(),
    state: z.string().optional(),
  })
  .loose();
export type AnnotationItem = z.infer<typeof annotationItemSchema>;

/** `manifest.json` of an annotation directory (kind "annotations"). */
export const annotationManifestSchema = z
  .object({
    kind: z.literal('annotations'),
    annotation_kind: z.enum(['reasoning', 'reflection']),
    teacher: z.object({ model: z.string() }).loose(),
    prompt_hashes: z.record(z.string(), z.string()).default({}),
    sources: z.array(z.object({ run_dir: z.string(), run_id: z.string().optional(), manifest_sha256: z.string().optional() }).loose()),
  })
  .loose();
export type AnnotationManifest = z.infer<typeof annotationManifestSchema>;

/** A run directory read whole. */
export interface SourceRun {
  /** Absolute path. */
  dir: string;
  manifest: RunManifest;
  manifestSha256: string;
  transitions: Transition[];
  episodes: Episode[];
}

/** An annotation directory read whole. */
export interface SourceAnnotations {
  dir: string;
  manifest: AnnotationManifest;
  manifestSha256: string;
  items: AnnotationItem[];
}

export interface ExportSources {
  /** Run directories in `--from` order, then those only named by annotation manifests. */
  runs: SourceRun[];
  annotations: SourceAnnotations[];
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

const readManifestText = async (dir: string, flag: string): Promise<string> => {
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
  } catch {
    throw new ConfigInvalidError(`${flag} ${dir}: no such directory (give run directories from collect/run/branch/import, or annotation directories from annotate)`);
  }
  try {
    return await readFile(join(dir, runFileNames.manifest), 'utf8');
  } catch {
    throw new ConfigInvalidError(`${flag} ${dir}: no manifest.json (not a run or annotation directory)`);
  }
};

const parseJson = (text: string, where: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ConfigInvalidError(`${where}: not JSON (${(error as Error).message})`);
  }
};

const issueOf = (error: z.ZodError): string => {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : error.message;
};

const readRun = async (dir: string, text: string): Promise<SourceRun> => {
  const parsed = runManifestSchema.safeParse(parseJson(text, join(dir, runFileNames.manifest)));
  if (!parsed.success) throw new ConfigInvalidError(`${join(dir, runFileNames.manifest)}: not a run manifest (${issueOf(parsed.error)})`);
  const [transitions, episodes] = await Promise.all([
    readJsonl(join(dir, runFileNames.transitions), transitionSchema),
    readJsonl(join(dir, runFileNames.episodes), episodeSchema),
  ]);
  return { dir, manifest: parsed.data, manifestSha256: sha256(text), transitions, episodes };
};

const readAnnotations = async (dir: string, text: string): Promise<SourceAnnotations> => {
  const parsed = annotationManifestSchema.safeParse(parseJson(text, join(dir, runFileNames.manifest)));
  if (!parsed.success) throw new ConfigInvalidError(`${join(dir, runFileNames.manifest)}: not an annotation manifest (${issueOf(parsed.error)})`);
  const items = await readJsonl(join(dir, 'annotations.jsonl'), annotationItemSchema);
  return { dir, manifest: parsed.data, manifestSha256: sha256(text), items };
};

/**
 * Reads every `--from` directory: run directories (collect, run, branch, import webshop-sessions)
 * and annotation directories (manifest `kind: "annotations"`). The runs an annotation directory
 * was made from are read too when `--from` does not name them, so annotations always find their
 * transitions.
 */
export const readExportSources = async (paths: readonly string[], flag = '--from'): Promise<ExportSources> => {
  const runs = new Map<string, SourceRun>();
  const annotations: SourceAnnotations[] = [];
  for (const path of paths) {
    const dir = resolve(path);
    const text = await readManifestText(dir, flag);
    const kind = (parseJson(text, join(dir, runFileNames.manifest)) as { kind?: unknown } | null)?.kind;
    if (kind === 'annotations') annotations.push(await readAnnotations(dir, text));
    else if (!runs.has(dir)) runs.set(dir, await readRun(dir, text));
  }
  for (const a of annotations) {
    for (const source of a.manifest.sources) {
      const dir = resolve(source.run_dir);
      if (runs.has(dir)) continue;
      const text = await readManifestText(dir, `annotation source of ${a.dir}:`);
      runs.set(dir, await readRun(dir, text));
    }
  }
  return { runs: [...runs.values()], annotations };
};
