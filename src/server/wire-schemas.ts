import { z } from 'zod';
import { observationSchema } from '../protocol/index.js';

/** Longest replayed action (a WebShop search or a WebArena `type [id] [text]` fits easily). */
export const MAX_ACTION_CHARS = 8_192;
/** Longest accepted `thought`. */
export const MAX_THOUGHT_CHARS = 65_536;
/** Most actions a reset may replay. */
export const MAX_REPLAY_ACTIONS = 200;

/**
 * An optional field that also takes `null`, read as absent: OpenEnv's types declare these fields
 * `Optional[...] = None`, so typed Python clients send `null` for every one they leave unset
 * (`model_dump()`). The JSON Schema (input) says `anyOf [T, null]`.
 */
export const optionalOrNull = <T extends z.ZodType>(schema: T) => schema.nullish().transform((value) => value ?? undefined).optional();

/**
 * The action message, validated strictly (unknown fields rejected, as OpenEnv's `Action` does).
 * `metadata` is accepted because OpenEnv's `Action` base class declares it: typed Python clients
 * send `"metadata": {}` with every action.
 */
export const wireActionSchema = z.strictObject({
  // No length limit but the body's: an over-long action is an invalid action (last_action_error), not a 422.
  action_str: z.string().describe("An action in the site's own grammar, e.g. search[red shoes] or click[Buy Now]"),
  thought: optionalOrNull(z.string().max(MAX_THOUGHT_CHARS)).describe('The reasoning that led to the action; logged with the transition'),
  metadata: optionalOrNull(z.record(z.string(), z.unknown())).describe("OpenEnv's Action.metadata; ignored"),
});

/** A recorded state a replayed action should reproduce: its text (and URL when it was real). */
export const replayStateSchema = z.union([z.string(), z.object({ text: z.string(), url: z.string().optional() })]);

/**
 * Reset keyword arguments. Unknown keys are ignored, as OpenEnv passes a reset only the keyword
 * arguments it accepts.
 */
export const wireResetSchema = z.object({
  seed: optionalOrNull(z.number().int().nonnegative()).describe('Picks the task when task_id is absent (reproducible rollouts)'),
  episode_id: optionalOrNull(z.string().min(1).max(255)).describe('Episode id recorded in the run directory (default: generated)'),
  task_id: optionalOrNull(z.union([z.string().min(1).max(255), z.number().int().nonnegative()])).describe('Task id (a site registers its own form: WebShop a goal index)'),
  mode: optionalOrNull(z.enum(['real', 'dream'])).describe('real (a live site, counted in the budget) or dream (the experience model); default real when offered'),
  instruction: optionalOrNull(z.string().max(MAX_THOUGHT_CHARS)).describe('Dream only: the instruction of a task the dream task set does not know'),
  replay_actions: optionalOrNull(z.array(z.string().max(MAX_ACTION_CHARS)).max(MAX_REPLAY_ACTIONS)).describe('Actions replayed after the reset (each one a logged step)'),
  replay_states: optionalOrNull(z.array(replayStateSchema).max(MAX_REPLAY_ACTIONS)).describe('The recorded states replay_actions should reproduce, one per action'),
  session_id: optionalOrNull(z.string().min(1).max(255)).describe('HTTP only: reset this HTTP session instead of opening a new one'),
});

/**
 * The reset schema of a site: `task_id` as its profile registers it (WebShop: a goal index;
 * WebArena: a config's id), the generic one when it registers none.
 */
export const wireResetSchemaFor = (taskId?: z.ZodType<string | number>): typeof wireResetSchema =>
  taskId === undefined ? wireResetSchema : (wireResetSchema.extend({ task_id: optionalOrNull(taskId).describe(taskId.description ?? 'Task id') }) as unknown as typeof wireResetSchema);

/** What a replay did, reported in the observation when replay_actions were given. */
export const replayReportSchema = z.object({
  actions: z.number().int().nonnegative().describe('Replayed actions carried out'),
  reproduced: z.boolean().nullable().describe('Whether every replayed state matched its recorded one (null: no recorded states given)'),
  first_mismatch: z.number().int().nonnegative().optional().describe('Index of the first replayed action whose state differed'),
});

/**
 * The observation as it goes on the wire: the abstract text state, every field explicit, with the
 * site's own `available_actions` schema (registered by its profile).
 */
export const wireObservationSchemaFor = (availableActions: z.ZodType<Record<string, unknown>> = observationSchema.shape.available_actions) =>
  observationSchema.extend({
    available_actions: availableActions,
    replay: replayReportSchema.optional(),
  });

/** `state` of a session (OpenEnv's State: episode_id and step_count, plus ours). */
export const wireStateSchema = z.object({
  session_id: z.string().nullable(),
  episode_id: z.string().nullable(),
  step_count: z.number().int().nonnegative(),
  task_id: z.string().nullable(),
  mode: z.enum(['real', 'dream']).nullable(),
  source: z.enum(['real', 'dream', 'mixed']).nullable().describe('Where the episode\'s observations came from so far'),
  done: z.boolean(),
  cum_reward: z.number(),
  real_steps_used: z.number().int().nonnegative().describe('Real interactions spent (the ledger\'s, or this server\'s without one)'),
  real_steps_cap: z.number().int().nonnegative().nullable().describe('The real-interaction cap (null: none)'),
  session_real_steps: z.number().int().nonnegative().describe('Real interactions of this session'),
});

/** WebSocket client → server messages (envelopes strict, as OpenEnv's BaseMessage). */
export const wsResetMessageSchema = z.strictObject({ type: z.literal('reset'), data: z.record(z.string(), z.unknown()).optional() });
export const wsStepMessageSchema = z.strictObject({ type: z.literal('step'), data: z.unknown() });
export const wsStateMessageSchema = z.strictObject({ type: z.literal('state') });
export const wsCloseMessageSchema = z.strictObject({ type: z.literal('close') });

/** HTTP `POST /step` body (OpenEnv's StepRequest: extra keys allowed, the action strict). */
export const httpStepSchema = z.object({
  action: z.unknown(),
  timeout_s: optionalOrNull(z.number().positive().max(3_600)),
  request_id: optionalOrNull(z.string().max(255)),
  session_id: optionalOrNull(z.string().min(1).max(255)),
});

export type WireAction = z.infer<typeof wireActionSchema>;
export type WireReset = z.infer<typeof wireResetSchema>;
export type WireObservation = z.infer<ReturnType<typeof wireObservationSchemaFor>>;
export type WireState = z.infer<typeof wireStateSchema>;
export type ReplayReport = z.infer<typeof replayReportSchema>;

/** Zod issues as OpenEnv lists pydantic's: `{loc, msg, type}`. */
export const describeIssues = (error: z.ZodError): Array<{ loc: Array<string | number>; msg: string; type: string }> =>
  error.issues.map((issue) => ({
    loc: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    msg: issue.message,
    type: issue.code,
  }));
