import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { hasCode } from '../../src/env/code-of.js';
import { ConfigInvalidError } from '../../src/env/errors.js';
import { transitionSchema, type Transition } from '../../src/protocol/index.js';
import { readJsonl, runFileNames } from '../../src/store/index.js';

/** A run directory annotated from: where it is, which run it is, and the hash of its manifest. */
export interface AnnotationSource {
  /** Absolute path. */
  runDir: string;
  runId: string;
  /** sha256 (hex) of the bytes of its manifest.json: a later change of the source shows. */
  manifestSha256: string;
  transitions: Transition[];
}

/** The manifest's entry for a source. */
export const sourceEntry = (source: AnnotationSource): { run_dir: string; run_id: string; manifest_sha256: string } => ({
  run_dir: source.runDir,
  run_id: source.runId,
  manifest_sha256: source.manifestSha256,
});

const readSource = async (dir: string): Promise<AnnotationSource> => {
  const runDir = resolve(dir);
  try {
    if (!(await stat(runDir)).isDirectory()) throw new ConfigInvalidError(`--from ${dir}: not a directory (give run directories written by collect, run, import or branch)`);
  } catch (error) {
    if (hasCode(error, 'ENOENT')) throw new ConfigInvalidError(`--from ${dir}: no such directory`);
    throw error;
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(join(runDir, runFileNames.manifest));
  } catch (error) {
    if (hasCode(error, 'ENOENT')) throw new ConfigInvalidError(`--from ${dir}: not a run directory (no ${runFileNames.manifest})`);
    throw error;
  }
  let runId: unknown;
  try {
    runId = (JSON.parse(bytes.toString('utf8')) as { run_id?: unknown }).run_id;
  } catch (error) {
    throw new ConfigInvalidError(`--from ${dir}: ${runFileNames.manifest} is not JSON (${(error as Error).message})`);
  }
  if (typeof runId !== 'string' || runId === '') throw new ConfigInvalidError(`--from ${dir}: ${runFileNames.manifest} has no run_id`);
  const transitions = await readJsonl(join(runDir, runFileNames.transitions), transitionSchema);
  return { runDir, runId, manifestSha256: createHash('sha256').update(bytes).digest('hex'), transitions };
};

/** Reads every `--from` directory (each once, in the order given); a directory that is no run directory is CONFIG_INVALID naming it. */
export const readAnnotationSources = async (dirs: readonly string[]): Promise<AnnotationSource[]> => {
  if (dirs.length === 0) throw new ConfigInvalidError('--from: give at least one run directory');
  const seen = new Set<string>();
  const sources: AnnotationSource[] = [];
  for (const dir of dirs) {
    if (seen.has(resolve(dir))) continue;
    seen.add(resolve(dir));
    sources.push(await readSource(dir));
  }
  return sources;
};

/** The branch record of an Early Experience alternative line (`dreambridge branch`). */
export interface BranchOf {
  of_episode: string;
  of_step: number;
  expert_action: string;
}

export const branchOf = (t: Transition): BranchOf | undefined => {
  const branch = t.info['branch'] as Partial<BranchOf> | undefined;
  return branch && typeof branch.of_episode === 'string' && typeof branch.of_step === 'number' ? (branch as BranchOf) : undefined;
};

/** The item id of a transition: where it was recorded, `run_id/episode_id/step` (the replay buffer's id too). */
export const transitionItemId = (t: Pick<Transition, 'run_id' | 'episode_id' | 'step'>): string => `${t.run_id}/${t.episode_id}/${t.step}`;

/** A real step that shows what the site does: not dreamed, not a step that failed (timeout, a crash after sending). */
export const isAnnotatableReal = (t: Transition): boolean => t.source === 'real' && t.info.error === undefined && t.info['failed_after_send'] !== true;
