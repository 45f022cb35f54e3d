import type { AvailableActions, Observation } from './observation.js';
import type { EnvName, Split, Task } from './task.js';

/** A parsed action in the site's own grammar, or the reason it is not one. */
export type ParsedAction =
  | { ok: true; name: string; arg: string; raw: string }
  | { ok: false; raw: string; reason: string };

/** Versioned canonical state key: equal keys mean "the same state" for retrieval and fidelity. */
export interface CanonicalKey {
  version: string;
  key: string;
}

/**
 * Everything that differs per site, as plain data and pure functions (no browser code). Real
 * adapters, the dream environment and the fidelity code all read the same profile, which is what
 * keeps dream and real in one language.
 */
export interface SiteProfile {
  readonly env: EnvName;
  readonly version: string;
  /** Page type read from a state text alone (so the dream side can use it). */
  pageType(text: string): string | undefined;
  /** Available actions read from a state text alone. */
  availableActions(text: string): AvailableActions;
  parseAction(action: string): ParsedAction;
  /** Whether an action is valid for a state, with the reason when it is not. */
  validateAction(action: string, available: AvailableActions): { valid: boolean; reason?: string };
  /**
   * Canonical state key. Reads the text and, when present, the URL (real observations carry it;
   * the simple text alone does not show e.g. chosen options).
   */
  canonicalKey(state: Pick<Observation, 'text' | 'url'>): CanonicalKey;
  /** The first state of a task rendered from its instruction alone (the dream side's reset). */
  initialState(instruction: string): string;
  /** Text the experience model is prompted with to imagine this site. */
  readonly prompts: { system: string; stateFormat: string };
  /** Task ids of a split, in order. */
  tasks(split: Split): Task[];
}
