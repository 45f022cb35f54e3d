import { resolve } from 'node:path';
import { ConfigInvalidError } from '../../src/env/errors.js';
import type { Transition } from '../../src/protocol/index.js';
import type { ExportContext } from './export-format.js';
import { selectTransitions, transitionKey, type TransitionRecord } from './export-selection.js';
import type { AnnotationItem, SourceAnnotations } from './export-sources.js';

/** The annotation directories of one kind among the sources; none is CONFIG_INVALID naming what to pass. */
export const annotationDirsOf = (context: ExportContext, kind: 'reasoning' | 'reflection', format: string): SourceAnnotations[] => {
  const dirs = context.sources.annotations.filter((a) => a.manifest.annotation_kind === kind);
  if (dirs.length === 0) {
    const other = context.sources.annotations.map((a) => `${a.dir} (${a.manifest.annotation_kind})`).join(', ');
    throw new ConfigInvalidError(
      `--format ${format} needs an annotation directory of kind ${kind} in --from (written by \`dreambridge annotate --kind ${kind}\`)${other ? `; got ${other}` : ''}`,
    );
  }
  return dirs;
};

/** The key of an annotation's source transition. */
export const annotationKey = (item: AnnotationItem): string => transitionKey(resolve(item.source.run_dir), item.source.episode_id, item.source.step);

/**
 * The key of a transition by its own ids (run id, episode, step): the same step copied into another
 * run directory (branch copies its experts) has the same one, so an annotation made on the copy
 * still finds the transition the export kept.
 */
export const recordedKey = (t: Pick<Transition, 'run_id' | 'episode_id' | 'step'>): string => `\u0001${t.run_id}\u0000${t.episode_id}\u0000${t.step}`;
export const annotationRecordedKey = (item: AnnotationItem): string => recordedKey({ run_id: item.source.run_id, episode_id: item.source.episode_id, step: item.source.step });

/** The selected transitions (filters applied) by (run dir, episode, step) and by their recorded ids. */
export const selectedTransitionsByKey = (context: ExportContext, skips = context.skips): Map<string, TransitionRecord> => {
  const map = new Map<string, TransitionRecord>();
  for (const r of selectTransitions(context.sources, context.siteOf, context.filters, skips)) {
    map.set(transitionKey(r.run.dir, r.transition.episode_id, r.transition.step), r);
    map.set(recordedKey(r.transition), r);
  }
  return map;
};
