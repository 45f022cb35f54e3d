import type { Logger } from 'pino';
import type { Env, TimeoutOptions } from '../env/env.js';
import type { Observation, StepInfo, Task } from '../protocol/index.js';
import type { BudgetGate, OnBudgetExhausted } from './budget-gate.js';
import type { RecorderTarget } from './episode-recorder.js';
import type { SessionLimits } from './session-limits.js';
import type { TaskPicker } from './task-picker.js';
import type { WireObservation } from './wire-schemas.js';

export type Mode = 'real' | 'dream';

/** One kind of environment a session can reset into. */
export interface ModeProvider {
  /** A fresh env of this mode (sessions keep it across their resets and close it at the end). */
  create(options: TimeoutOptions): Promise<Env>;
  picker: TaskPicker;
}

/** What every session of a server shares: envs, budget, run directory, defaults. */
export interface SessionServices {
  recorder: RecorderTarget;
  /** Per-call deadline when the request gives none. */
  stepTimeoutMs: number;
  /** How long `close` waits for an operation in flight (after aborting it) before closing envs. */
  closeWaitMs: number;
  modes: Partial<Record<Mode, ModeProvider>>;
  defaultMode: Mode;
  /** What to configure for dreams, said by DREAM_NOT_CONFIGURED. */
  dreamHint: string;
  onBudgetExhausted: OnBudgetExhausted;
  budget: BudgetGate;
  /** A dream env that starts from a real episode's current state (for `onBudgetExhausted: 'dream'`). */
  continueInDream?: (task: Task, observation: Observation, stepsTaken: number) => Env;
  /** Whether a replayed state reproduced the recorded one (canonical keys when a profile is known). */
  sameState: (recorded: { text: string; url?: string | undefined }, actual: Observation) => boolean;
  logger: Logger;
  /** The server's capacity counters (sessions holding an env, sessions holding a browser context). */
  limits: SessionLimits;
  /** Steps before truncation (the profile's): over-long actions are steps too. */
  maxSteps?: number;
  /** Called with each reset's and step's latency and the source of its observation (metrics). */
  observe?: (what: 'reset' | 'step', source: Observation['source'], seconds: number) => void;
}

/** The answer to a reset or a step, before it is shaped for OpenEnv or AgentGym. */
export interface SessionReply {
  observation: WireObservation;
  /** null after a reset (OpenEnv: "typically None at reset"). */
  reward: number | null;
  /** The episode is over: the site said done, or it was truncated at max steps. */
  done: boolean;
  truncated: boolean;
  info?: StepInfo;
  episode_id: string;
  step_count: number;
}
