import type { z } from 'zod';
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
 * One action a state offers: a complete action string, or an action that takes free text (WebShop's
 * `search[…]`), built from the text a policy chooses.
 */
export type ActionChoice = string | { freeText: (text: string) => string };

/**
 * Everything that differs per site, as plain data and pure functions (no browser code). Real
 * adapters, the dream environment, policies and the fidelity code all read the same profile, which
 * is what keeps dream and real in one language: the same page types, the same valid actions (action
 * options such as WebShop's search-anywhere included), the same truncation, the same keys.
 */
export interface SiteProfile {
  readonly env: EnvName;
  /** The site's name for people (`WebShop`). */
  readonly displayName: string;
  readonly version: string;
  /** Steps before an episode is truncated, in dream and in real (the benchmark's own by default). */
  readonly maxSteps: number;
  /** The schema of this site's `available_actions` (the wire schemas and `/schema` are built from it). */
  readonly availableActionsSchema: z.ZodType<AvailableActions>;
  /**
   * The schema of this site's task ids as a reset names them (the reset schema, its check and
   * `/openapi.json` are built from it). Default: any id of 1–255 characters or a non-negative integer.
   */
  readonly taskIdSchema?: z.ZodType<string | number>;
  /** Page type read from a state text alone (so the dream side can use it). */
  pageType(text: string): string | undefined;
  /** Available actions read from a state text alone. */
  availableActions(text: string): AvailableActions;
  parseAction(action: string): ParsedAction;
  /** Whether an action is valid for a state, with the reason when it is not. */
  validateAction(action: string, available: AvailableActions): { valid: boolean; reason?: string };
  /** The actions a state offers, in a stable order (random policies pick among them). */
  actionChoices(available: AvailableActions): ActionChoice[];
  /** The available actions as the experience model's prompt lists them. */
  promptActions(available: AvailableActions): string;
  /** The admissible actions as a chat policy's prompt lists them (verl-agent's style). */
  admissibleActions(available: AvailableActions): string[];
  /**
   * Canonical state key. Reads the text and, when present, the URL (real observations carry it;
   * the simple text alone does not show e.g. chosen options).
   */
  canonicalKey(state: Pick<Observation, 'text' | 'url'>): CanonicalKey;
  /** The first state of a task rendered from its instruction alone (the dream side's reset). */
  initialState(instruction: string): string;
  /** The instruction as the site's own text environment shows it (AgentGym's WebShop: `Instruction: …`). */
  instructionText(instruction: string): string;
  /** The id of the element with this role and accessible name in a state text (sites with element ids). */
  findElement?(text: string, role: string, name: string): string | undefined;
  /** Text the experience model and chat policies are prompted with to imagine or act on this site. */
  readonly prompts: { system: string; stateFormat: string; policySite: string };
  /** Task ids of a split, in order. */
  tasks(split: Split): Task[];
}
