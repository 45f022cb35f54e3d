import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { hasCode } from '../../src/env/code-of.js';
import { RunFileCorruptError, ShadowDataMissingError } from '../../src/env/errors.js';
import { shadowLineSchema, type ShadowLine } from '../../src/protocol/index.js';
import { readJsonl, runFileNames } from '../../src/store/index.js';
import { shadowCountsSchema, type ShadowCounts } from '../shadow/shadow-counts.js';

const HOW_TO_PRODUCE = 'record predictions next to real steps by running with --shadow K (K experience-model samples per real step)';

const isMissing = (error: unknown): boolean => hasCode(error, 'ENOENT');

/**
 * The validated lines of `<dir>/shadow.jsonl`. A corrupt line is RUN_FILE_CORRUPT naming file and
 * line (a torn last line, left by a crash mid-write, is ignored as everywhere in run directories);
 * a missing or empty file is SHADOW_DATA_MISSING saying how to produce one.
 */
export const readShadowLines = async (dir: string): Promise<ShadowLine[]> => {
  const path = join(dir, runFileNames.shadow);
  try {
    await stat(path);
  } catch (error) {
    if (!isMissing(error)) throw error;
    throw new ShadowDataMissingError(`${path} does not exist: ${HOW_TO_PRODUCE}`, { details: { path } });
  }
  const lines = await readJsonl(path, shadowLineSchema);
  if (lines.length === 0) {
    throw new ShadowDataMissingError(`${path} holds no shadow line: ${HOW_TO_PRODUCE}`, { details: { path } });
  }
  return lines;
};

/** `<dir>/manifest.json` parsed, or undefined when there is none. */
const readManifestJson = async (dir: string): Promise<unknown> => {
  let text: string;
  try {
    text = await readFile(join(dir, runFileNames.manifest), 'utf8');
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new RunFileCorruptError(runFileNames.manifest, 1, `not JSON (${(error as Error).message})`);
  }
};

/** `options.max_steps` of `<dir>/manifest.json`, if the run recorded one. */
export const manifestMaxSteps = async (dir: string): Promise<number | undefined> => {
  const manifest = await readManifestJson(dir);
  const maxSteps = (manifest as { options?: { max_steps?: unknown } } | null | undefined)?.options?.max_steps;
  return typeof maxSteps === 'number' && Number.isSafeInteger(maxSteps) && maxSteps > 0 ? maxSteps : undefined;
};

/** `shadow` of `<dir>/manifest.json` (what became of the predictions), if the run recorded it. */
export const manifestShadowCounts = async (dir: string): Promise<ShadowCounts | undefined> => {
  const manifest = await readManifestJson(dir);
  const parsed = shadowCountsSchema.safeParse((manifest as { shadow?: unknown } | null | undefined)?.shadow);
  return parsed.success ? parsed.data : undefined;
};
