import { join } from 'node:path';
import { z } from 'zod';
import { ConfigInvalidError } from '../env/errors.js';
import { transitionSchema, type EnvName, type Observation, type Transition } from '../protocol/index.js';
import { readJsonl, runFileNames, writeFileAtomic } from '../store/index.js';

/**
 * Where a buffered transition came from: offline logs, the real site in this run, the experience
 * model, or people (imported human sessions, whose lines say `info.provenance: "human"`).
 */
export const provenanceSchema = z.enum(['offline', 'real', 'dream', 'human']);
export type Provenance = z.infer<typeof provenanceSchema>;

/** One provenance for every line, or one per line (e.g. by its `source`). */
export type ProvenanceOf = Provenance | ((t: Transition) => Provenance);

/** Recorded lines of earlier runs: `human` when imported from people's sessions, `offline` when real, `dream` when dreamed. */
export const recordedProvenance = (t: Transition): Provenance => (t.info['provenance'] === 'human' ? 'human' : t.source === 'dream' ? 'dream' : 'offline');

/** A transition in the buffer: the protocol's line plus a buffer id and its provenance. */
export type ReplayTransition = Transition & { id: string; provenance: Provenance };

/** What `save` writes and `loadJsonl` reads; plain `transitions.jsonl` lines (no id/provenance) also load. */
const bufferLineSchema = transitionSchema.extend({
  id: z.string().optional(),
  provenance: provenanceSchema.optional(),
});

/** Options of `ReplayBuffer`. */
export interface ReplayBufferOptions {
  /** Most transitions held; beyond it the eviction policy applies. Default: Infinity (no cap). */
  maxSize?: number;
}

/** Told about every transition that enters or leaves the buffer (e.g. a retrieval index). */
export interface ReplayBufferListener {
  added?(t: ReplayTransition): void;
  removed?(t: ReplayTransition): void;
}

/** A task seen in the buffer, with the instruction of its first recorded state. */
export interface ReplayTask {
  task_id: string;
  env: EnvName;
  instruction: string;
}

/** Default id of a transition: where it was recorded (run, episode, step). */
export const defaultTransitionId = (t: Transition): string => `${t.run_id}/${t.episode_id}/${t.step}`;

/** Gives a protocol transition its buffer id (default: `run/episode/step`) and provenance. */
export const toReplayTransition = (t: Transition, provenance: Provenance, id = defaultTransitionId(t)): ReplayTransition => ({
  ...t,
  id,
  provenance,
});

const stepKey = (t: Transition): string => `${t.run_id}\u0000${t.episode_id}\u0000${t.step}`;
const contentKey = (t: Transition): string => `${t.state.text}\u0000${t.action}\u0000${t.next_state.text}`;

/**
 * The replay buffer of DreamGym: offline seeds plus real and dream transitions, in insertion order.
 *
 * Dedupe: a transition is dropped (`append` returns false) when the buffer already holds one with
 * the same id, the same (run_id, episode_id, step), or the same (state text, action, next_state
 * text) — the first one kept wins, because a repeated step adds no new evidence to retrieval.
 *
 * Eviction (when `maxSize` is exceeded): the oldest `dream` transition goes first, since dreams are
 * the cheapest to regenerate and the least trustworthy; with no dream left, the oldest overall.
 */
export class ReplayBuffer {
  readonly maxSize: number;
  /** Insertion order = age order (a Map iterates in insertion order). */
  private readonly byId = new Map<string, ReplayTransition>();
  /** Dream ids in insertion order, so the oldest dream is found in O(1). */
  private readonly dreamIds = new Set<string>();
  private readonly stepKeys = new Map<string, string>();
  private readonly contentKeys = new Map<string, string>();
  private readonly listeners = new Set<ReplayBufferListener>();
  /** Ids of step-0 transitions per task, so a dream reset does not scan the buffer. */
  private readonly firstSteps = new Map<string, Set<string>>();

  constructor(options: ReplayBufferOptions = {}) {
    const maxSize = options.maxSize ?? Number.POSITIVE_INFINITY;
    if (!(maxSize >= 1)) throw new ConfigInvalidError(`replay buffer maxSize must be at least 1, got ${maxSize}`);
    this.maxSize = maxSize;
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: string): ReplayTransition | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** All transitions, oldest first. */
  values(): IterableIterator<ReplayTransition> {
    return this.byId.values();
  }

  /** Registers a listener; returns the function that unregisters it. */
  subscribe(listener: ReplayBufferListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Adds a transition unless it is a duplicate (see the class comment); true when added. */
  append(t: ReplayTransition): boolean {
    if (this.byId.has(t.id)) return false;
    const step = stepKey(t);
    const content = contentKey(t);
    if (this.stepKeys.has(step) || this.contentKeys.has(content)) return false;
    this.byId.set(t.id, t);
    this.stepKeys.set(step, t.id);
    this.contentKeys.set(content, t.id);
    if (t.provenance === 'dream') this.dreamIds.add(t.id);
    if (t.step === 0) {
      const ids = this.firstSteps.get(t.task_id);
      if (ids) ids.add(t.id);
      else this.firstSteps.set(t.task_id, new Set([t.id]));
    }
    for (const listener of this.listeners) listener.added?.(t);
    while (this.byId.size > this.maxSize) this.evictOne();
    return true;
  }

  /** Appends each; returns how many were added (not duplicates). */
  appendAll(ts: Iterable<ReplayTransition>): number {
    let added = 0;
    for (const t of ts) if (this.append(t)) added += 1;
    return added;
  }

  /** Removes a transition by id; true when it was there. */
  remove(id: string): boolean {
    const t = this.byId.get(id);
    if (t === undefined) return false;
    this.byId.delete(id);
    this.dreamIds.delete(id);
    this.firstSteps.get(t.task_id)?.delete(id);
    if (this.stepKeys.get(stepKey(t)) === id) this.stepKeys.delete(stepKey(t));
    if (this.contentKeys.get(contentKey(t)) === id) this.contentKeys.delete(contentKey(t));
    for (const listener of this.listeners) listener.removed?.(t);
    return true;
  }

  private evictOne(): void {
    const oldestDream = this.dreamIds.values().next();
    const victim = oldestDream.done ? this.byId.keys().next().value : oldestDream.value;
    if (victim !== undefined) this.remove(victim);
  }

  /**
   * Loads a JSONL file of transition lines. Lines written by `save` keep their own id and
   * provenance; plain `transitions.jsonl` lines get the default id and `provenance`. An invalid
   * line is a `RunFileCorruptError` naming file and line (a torn last line is skipped, as in
   * `readJsonl`). Returns how many were added.
   */
  async loadJsonl(file: string, provenance: ProvenanceOf): Promise<number> {
    const lines = await readJsonl(file, bufferLineSchema);
    const of = typeof provenance === 'function' ? provenance : () => provenance;
    return this.appendAll(
      lines.map(({ id, provenance: own, ...t }) => toReplayTransition(t, own ?? of(t), id ?? defaultTransitionId(t))),
    );
  }

  /** Loads `transitions.jsonl` of a run directory (see `openRunDirectory`). */
  loadRunDirectory(dir: string, provenance: ProvenanceOf): Promise<number> {
    return this.loadJsonl(join(dir, runFileNames.transitions), provenance);
  }

  /** Writes every transition (with id and provenance) as JSONL, oldest first, atomically. */
  async save(file: string): Promise<void> {
    let content = '';
    for (const t of this.byId.values()) content += `${JSON.stringify(t)}\n`;
    await writeFileAtomic(file, content);
  }

  /** First states (step 0) recorded for a task, oldest first, one per distinct state text. */
  initialStates(taskId: string): Observation[] {
    const seen = new Set<string>();
    const states: Observation[] = [];
    for (const id of this.firstSteps.get(taskId) ?? []) {
      const t = this.byId.get(id);
      if (t === undefined || seen.has(t.state.text)) continue;
      seen.add(t.state.text);
      states.push(t.state);
    }
    return states;
  }

  /** Distinct tasks in first-seen order, with the instruction of their first transition. */
  tasks(): ReplayTask[] {
    const tasks = new Map<string, ReplayTask>();
    for (const t of this.byId.values()) {
      if (!tasks.has(t.task_id)) tasks.set(t.task_id, { task_id: t.task_id, env: t.env, instruction: t.state.instruction });
    }
    return [...tasks.values()];
  }
}
