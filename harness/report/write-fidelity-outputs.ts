import { join, resolve } from 'node:path';
import { computeFidelity, type FidelityOptions } from '../../src/fidelity/compute-fidelity.js';
import type { FidelityReport } from '../../src/fidelity/fidelity-report.js';
import { writeFileAtomic } from '../../src/store/index.js';
import { renderFidelityHtml } from './fidelity-html.js';
import { manifestMaxSteps, manifestShadowCounts, readShadowLines } from './read-shadow-lines.js';
import type { ShadowCounts } from '../shadow/shadow-counts.js';

/** H when neither the options nor the manifest give one: the runner's default max steps. */
export const DEFAULT_HORIZON = 15;

/** Options of `writeFidelityOutputs`; defaults as in `computeFidelity`. */
export interface FidelityOutputOptions {
  /** Default 0.9. */
  gamma?: number;
  /** Default 1. */
  rMax?: number;
  /** Default: the manifest's `options.max_steps`, else 15. */
  horizon?: number;
  /** Bootstrap seed. Default 0. */
  seed?: number;
  /** What became of the predictions (failed, dropped). Default: the manifest's `shadow`, if any. */
  shadow?: ShadowCounts;
}

export interface FidelityOutputs {
  /** The figures, plus `shadow` (requested, written, failed, dropped) when known. */
  report: FidelityReport & { shadow?: ShadowCounts };
  jsonPath: string;
  htmlPath: string;
}

export const fidelityFileNames = { json: 'fidelity.json', html: 'report.html' } as const;

/**
 * Rebuilds `<dir>/fidelity.json` and `<dir>/report.html` from `<dir>/shadow.jsonl` (with the
 * prediction counts, `shadow`, of the options or the manifest). Both files are replaced
 * atomically; running it again on the same data gives the same JSON.
 */
export const writeFidelityOutputs = async (dir: string, options: FidelityOutputOptions = {}): Promise<FidelityOutputs> => {
  const absolute = resolve(dir);
  const lines = await readShadowLines(absolute);
  const horizon = options.horizon ?? (await manifestMaxSteps(absolute)) ?? DEFAULT_HORIZON;
  const fidelityOptions: FidelityOptions = { horizon };
  if (options.gamma !== undefined) fidelityOptions.gamma = options.gamma;
  if (options.rMax !== undefined) fidelityOptions.rMax = options.rMax;
  if (options.seed !== undefined) fidelityOptions.seed = options.seed;
  const shadow = options.shadow ?? (await manifestShadowCounts(absolute));
  // Failed and dropped predictions sit next to the figures they are missing from.
  const report = { ...computeFidelity(lines, fidelityOptions), ...(shadow ? { shadow } : {}) };
  const jsonPath = join(absolute, fidelityFileNames.json);
  const htmlPath = join(absolute, fidelityFileNames.html);
  await writeFileAtomic(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  await writeFileAtomic(htmlPath, renderFidelityHtml(report, lines, { dir: absolute }));
  return { report, jsonPath, htmlPath };
};

