import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { hasCode } from '../../src/env/code-of.js';
import { ConfigInvalidError, RunDirNotEmptyError } from '../../src/env/errors.js';
import { JsonlAppender, readJsonl, repairJsonlTail, writeFileAtomic } from '../../src/store/index.js';
import { annotationFileNames, annotationLineSchema, annotationManifestSchema, type AnnotationLine, type AnnotationManifest } from './annotation-line.js';

/** An annotation directory, open for appending: what it already holds, and how to add to it. */
export interface AnnotationDirectory {
  /** Absolute path. */
  dir: string;
  /** The manifest an earlier run wrote (`--resume`), if any. */
  previous: AnnotationManifest | undefined;
  /** Lines already written (an earlier, interrupted run). */
  earlier: AnnotationLine[];
  /** Appends one line; resolves once it is fsync'd. */
  append(line: AnnotationLine): Promise<void>;
  writeManifest(manifest: AnnotationManifest): Promise<void>;
  close(): Promise<void>;
}

const readManifest = async (path: string): Promise<AnnotationManifest | undefined> => {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (hasCode(error, 'ENOENT')) return undefined;
    throw error;
  }
  const parsed = annotationManifestSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new ConfigInvalidError(`${path}: not an annotation manifest (${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? ''})`);
  return parsed.data;
};

/**
 * Opens `dir` as the run directory of `annotate`: created if missing; a non-empty one is refused
 * unless `resume`, which repairs a torn last line (a crash mid-write) and reads what is there.
 * Every line is fsync'd as it is appended, so a finished item survives any crash.
 */
export const openAnnotationDirectory = async (dir: string, resume: boolean): Promise<AnnotationDirectory> => {
  const absolute = resolve(dir);
  await mkdir(absolute, { recursive: true });
  const entries = await readdir(absolute);
  if (entries.length > 0 && !resume) throw new RunDirNotEmptyError(absolute, entries.sort());
  const linesPath = join(absolute, annotationFileNames.annotations);
  const manifestPath = join(absolute, annotationFileNames.manifest);
  const previous = await readManifest(manifestPath);
  await repairJsonlTail(linesPath, annotationLineSchema);
  const earlier = await readJsonl(linesPath, annotationLineSchema);
  const appender = await JsonlAppender.open(linesPath, { fsync: true });
  return {
    dir: absolute,
    previous,
    earlier,
    append: async (line) => appender.append(annotationLineSchema.parse(line)),
    writeManifest: async (manifest) => writeFileAtomic(manifestPath, `${JSON.stringify(annotationManifestSchema.parse(manifest), null, 2)}\n`, { fsync: true }),
    close: () => appender.close(),
  };
};
