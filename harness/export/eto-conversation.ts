import { etoAnswer } from './agent-turns.js';
import type { EpisodeRecord } from './export-selection.js';
import { fillExportTemplate, type ExportTemplates } from './export-templates.js';

/** One turn of an ETO conversation. */
export interface EtoTurn {
  from: 'human' | 'gpt';
  value: string;
}

/** How ETO shows the environment's side of a step. */
export const etoObservation = (text: string): string => `Observation:\n${text}`;

/** The instruction part every ETO conversation opens with: the task instruction (human) and "OK" (gpt). */
export const etoInstructionPart = (templates: ExportTemplates, e: EpisodeRecord): EtoTurn[] => [
  { from: 'human', value: fillExportTemplate(templates, 'eto-instruction.md', e.episode.env, { site: e.site.profile.displayName }) },
  { from: 'gpt', value: 'OK' },
];

/** The trajectory after the instruction part: observation, `Thought: … Action: …`, observation, … */
export const etoTrajectory = (e: EpisodeRecord): EtoTurn[] =>
  e.steps.flatMap((t): EtoTurn[] => [
    { from: 'human', value: etoObservation(t.state.text) },
    { from: 'gpt', value: etoAnswer(t.thought, t.action) },
  ]);
