import { ConfigInvalidError } from '../../src/env/errors.js';
import type { AnnotationKind, AnnotationLine, AnnotationManifest } from './annotation-line.js';

/** The manifest's usage: the sum over every line (earlier runs' included: their tokens were spent). */
export const sumUsage = (lines: readonly AnnotationLine[]): { prompt_tokens: number; completion_tokens: number } => ({
  prompt_tokens: lines.reduce((n, l) => n + l.usage.prompt_tokens, 0),
  completion_tokens: lines.reduce((n, l) => n + l.usage.completion_tokens, 0),
});

/** The manifest's counts of the lines: items = ok + failed. */
export const countsOf = (lines: readonly AnnotationLine[]): { items: number; ok: number; failed: number } => ({
  items: lines.length,
  ok: lines.filter((l) => l.status === 'ok').length,
  failed: lines.filter((l) => l.status === 'failed').length,
});

/** A resumed directory must have been written with the same kind, teacher and prompts: one manifest describes every line. */
export const checkResumable = (previous: AnnotationManifest, kind: AnnotationKind, model: string, hashes: Readonly<Record<string, string>>, dir: string): void => {
  if (previous.annotation_kind !== kind) throw new ConfigInvalidError(`--resume: ${dir} holds ${previous.annotation_kind} annotations, not ${kind}`);
  if (previous.teacher.model !== model) throw new ConfigInvalidError(`--resume: ${dir} was annotated by ${previous.teacher.model}, not ${model} (use another --out)`);
  const changed = Object.keys({ ...previous.prompt_hashes, ...hashes }).filter((name) => previous.prompt_hashes[name] !== hashes[name]);
  if (changed.length > 0) throw new ConfigInvalidError(`--resume: the prompt templates changed since ${dir} was started (${changed.join(', ')}); use another --out`);
};
