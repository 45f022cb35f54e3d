import { z } from 'zod';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { hasCode } from '../env/code-of.js';
import { EnvClosedError, RunDirNotEmptyError } from '../env/errors.js';
import { episodeSchema, shadowLineSchema, transitionSchema, type Episode, type ShadowLine, type Transition } from '../protocol/index.js';
import { writeFileAtomic } from './atomic-write.js';
import { JsonlAppender } from './jsonl-appender.js';
import { readJsonl } from './jsonl-reader.js';
import { repairJsonlTail } from './jsonl-repair.js';
import { runManifestSchema, type RunManifest } from './run-manifest.js';

/** File names inside a run directory (DESIGN.md, "Contracts"). */
export const runFileNames = {
  transitions: 'transitions.jsonl',
  episodes: 'episodes.jsonl',
  shadow: 'shadow.jsonl',
  manifest: 'manifest.json',
} as const;

/** Options of `openRunDirectory`. */
export interface RunDirectoryOptions {
  /** Append to a directory that already holds files (a torn last line is repaired first). Default: false. */
  resume?: boolean;
  /** fdatasync every appended line and fsync the manifest: durable against power loss, slower. Default: false. */
  fsync?: boolean;
}

/** Absolute paths of a run directory's files. */
export interface RunDirectoryPaths {
  transitions: string;
  episodes: string;
  shadow: string;
  manifest: string;
}

/**
 * A run directory: `transitions.jsonl` and `episodes.jsonl` appended line by line as things
 * happen, and `manifest.json`. Appends are validated against the protocol schemas, written in
 * call order and resolve once the line is on disk (fdatasync'd with `fsync`).
 */
export interface RunDirectory {
  /** Absolute path of the directory. */
  readonly dir: string;
  readonly paths: RunDirectoryPaths;
  appendTransition(line: Transition): Promise<void>;
  appendEpisode(line: Episode): Promise<void>;
  /** Appends a fidelity line to `shadow.jsonl` (created on the first one). */
  appendShadow(line: ShadowLine): Promise<void>;
  /** Replaces `manifest.json` atomically (temporary file + rename), validated against its schema. */
  writeManifest(manifest: RunManifest): Promise<void>;
  /** The manifest, or undefined when none was written yet. */
  readManifest(): Promise<RunManifest | undefined>;
  /** All transition lines; a truncated last line (crash mid-write) is ignored. */
  readTransitions(): Promise<Transition[]>;
  /** All episode lines; a truncated last line (crash mid-write) is ignored. */
  readEpisodes(): Promise<Episode[]>;
  /** Waits for pending appends and closes the files. Idempotent. */
  close(): Promise<void>;
}

const prepareDirectory = async (dir: string, resume: boolean): Promise<void> => {
  await mkdir(dir, { recursive: true });
  const entries = await readdir(dir);
  if (entries.length > 0 && !resume) throw new RunDirNotEmptyError(dir, entries.sort());
};

/**
 * Opens `dir` as a run directory: created if missing, an existing empty one is fine, a
 * non-empty one is refused with `RunDirNotEmptyError` unless `resume`.
 */
export const openRunDirectory = async (dir: string, options: RunDirectoryOptions = {}): Promise<RunDirectory> => {
  const absolute = resolve(dir);
  const fsync = options.fsync ?? false;
  await prepareDirectory(absolute, options.resume ?? false);
  const paths: RunDirectoryPaths = {
    transitions: join(absolute, runFileNames.transitions),
    episodes: join(absolute, runFileNames.episodes),
    shadow: join(absolute, runFileNames.shadow),
    manifest: join(absolute, runFileNames.manifest),
  };
  if (options.resume) {
    await repairJsonlTail(paths.transitions, transitionSchema);
    await repairJsonlTail(paths.episodes, episodeSchema);
    await repairJsonlTail(paths.shadow, shadowLineSchema);
  }
  const transitions = await JsonlAppender.open(paths.transitions, { fsync });
  let episodes: JsonlAppender;
  try {
    episodes = await JsonlAppender.open(paths.episodes, { fsync });
  } catch (error) {
    await transitions.close();
    throw error;
  }
  // Only shadowed runs have a shadow file: opened on the first line.
  let shadow: Promise<JsonlAppender> | undefined;
  let closed = false;
  const ensureOpen = (): void => {
    if (closed) throw new EnvClosedError(`run directory ${absolute}`);
  };

  return {
    dir: absolute,
    paths,
    appendTransition: async (line) => {
      ensureOpen();
      await transitions.append(transitionSchema.parse(line));
    },
    appendEpisode: async (line) => {
      ensureOpen();
      await episodes.append(episodeSchema.parse(line));
    },
    appendShadow: async (line) => {
      ensureOpen();
      shadow ??= JsonlAppender.open(paths.shadow, { fsync });
      await (await shadow).append(shadowLineSchema.parse(line));
    },
    writeManifest: async (manifest) => {
      ensureOpen();
      const valid = runManifestSchema.safeParse(manifest);
      // A manifest that does not say how the data was made is a bug of the command writing it.
      if (!valid.success) throw new Error(`manifest.json of ${absolute} is incomplete: ${z.prettifyError(valid.error)}`);
      await writeFileAtomic(paths.manifest, `${JSON.stringify(valid.data, null, 2)}\n`, { fsync });
    },
    readManifest: async () => {
      try {
        return JSON.parse(await readFile(paths.manifest, 'utf8')) as RunManifest;
      } catch (error) {
        if (hasCode(error, 'ENOENT')) return undefined;
        throw error;
      }
    },
    readTransitions: async () => {
      await transitions.whenIdle();
      return readJsonl(paths.transitions, transitionSchema);
    },
    readEpisodes: async () => {
      await episodes.whenIdle();
      return readJsonl(paths.episodes, episodeSchema);
    },
    close: async () => {
      closed = true;
      await Promise.all([transitions.close(), episodes.close(), shadow?.then((a) => a.close())]);
    },
  };
};
