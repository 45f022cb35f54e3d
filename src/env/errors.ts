/** Stable error codes: callers and wire messages switch on these, never on messages. */
export const errorCodes = [
  'REAL_BUDGET_EXHAUSTED',
  'STEP_TIMEOUT',
  'INVALID_ACTION',
  'MODEL_OUTPUT_UNPARSEABLE',
  'ENV_CLOSED',
  'ENV_NOT_RESET',
  'BROWSER_NOT_FOUND',
  'BROWSER_LAUNCH_FAILED',
  'NAVIGATION_FAILED',
  'CATALOG_INVALID',
  'CONFIG_INVALID',
  'GOAL_OUT_OF_RANGE',
  'RUN_DIR_NOT_EMPTY',
  'RUN_FILE_CORRUPT',
  'REPLAY_EXHAUSTED',
  'NO_AVAILABLE_ACTION',
  'BASE_URL_UNREACHABLE',
  'TASKGEN_FAILED',
  'PLACEHOLDER_UNRESOLVED',
  'STORAGE_STATE_MISSING',
  'JUDGE_FAILED',
  'ANSWERS_INVALID',
  'LEDGER_INVALID',
  'LEDGER_LOCKED',
  'LEDGER_UNAVAILABLE',
  'BROWSER_FARM_UNAVAILABLE',
  'MODEL_REQUEST_FAILED',
  'DREAM_NOT_CONFIGURED',
  'SESSION_CLOSED',
  'SESSION_NOT_FOUND',
  'CAPACITY_REACHED',
  'VALIDATION_ERROR',
  'UNAUTHORIZED',
  'EPISODE_TIMEOUT',
  'SHADOW_DATA_MISSING',
  'RETRIEVAL_NO_MATCH',
  'SESSION_LOG_INVALID',
  'EXPERT_EPISODES_MISSING',
  'SCRIPT_REQUIRED',
  'LOGIN_FAILED',
  'STORAGE_STATE_STALE',
  'RESET_FAILED',
  'RESET_REQUIRED',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/** What a typed error may carry besides its message: the error it wraps and machine-readable details. */
export interface DreambridgeErrorOptions {
  cause?: unknown;
  details?: Record<string, unknown>;
}

/** Base of every error the project throws on purpose; `code` is stable across versions. */
export class DreambridgeError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: DreambridgeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details ?? {};
  }
}

export class RealBudgetExhaustedError extends DreambridgeError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('REAL_BUDGET_EXHAUSTED', message, { details });
  }
}

export class StepTimeoutError extends DreambridgeError {
  constructor(timeoutMs: number, what: string) {
    super('STEP_TIMEOUT', `${what} did not finish within ${timeoutMs} ms`, { details: { timeoutMs } });
  }
}

export class EnvClosedError extends DreambridgeError {
  constructor(what = 'environment') {
    super('ENV_CLOSED', `the ${what} is closed`);
  }
}

export class EnvNotResetError extends DreambridgeError {
  constructor(message = 'step() called before reset()', options: DreambridgeErrorOptions = {}) {
    super('ENV_NOT_RESET', message, options);
  }
}

export class BrowserNotFoundError extends DreambridgeError {
  constructor(message: string) {
    super('BROWSER_NOT_FOUND', message);
  }
}

export class CatalogInvalidError extends DreambridgeError {
  constructor(file: string, problem: string) {
    super('CATALOG_INVALID', `${file}: ${problem}`, { details: { file } });
  }
}

/** A user mistake in flags, files or options (the CLI prints it as `error CONFIG_INVALID: …`, exit 1). */
export class ConfigInvalidError extends DreambridgeError {
  constructor(message: string, options: DreambridgeErrorOptions = {}) {
    super('CONFIG_INVALID', message, options);
  }
}

/** A run directory that already holds files, opened without `resume`. */
export class RunDirNotEmptyError extends DreambridgeError {
  constructor(dir: string, entries: readonly string[]) {
    super('RUN_DIR_NOT_EMPTY', `run directory ${dir} is not empty (${entries.slice(0, 5).join(', ')}${entries.length > 5 ? ', …' : ''}); use resume to append to it`, {
      details: { dir, entries: entries.slice(0, 20) },
    });
  }
}

/** A JSONL line of a run directory that is not valid, other than a truncated last line. */
export class RunFileCorruptError extends DreambridgeError {
  constructor(file: string, line: number, problem: string) {
    super('RUN_FILE_CORRUPT', `${file}:${line}: ${problem}`, { details: { file, line } });
  }
}

/** A replay policy asked for more actions than it was given. */
export class ReplayExhaustedError extends DreambridgeError {
  constructor(length: number) {
    super('REPLAY_EXHAUSTED', `the replay policy has played all ${length} of its actions`, { details: { length } });
  }
}

/** A policy was asked to act on an observation that offers no action it can take. */
export class NoAvailableActionError extends DreambridgeError {
  constructor(policy: string, pageType?: string) {
    super('NO_AVAILABLE_ACTION', `the ${policy} policy found no available action${pageType === undefined ? '' : ` on a ${pageType} page`}`, {
      details: pageType === undefined ? {} : { pageType },
    });
  }
}

/** A WebArena URL placeholder (`__GITLAB__`, …) with no URL configured, or one nobody knows. */
export class PlaceholderUnresolvedError extends DreambridgeError {
  constructor(placeholder: string, message: string) {
    super('PLACEHOLDER_UNRESOLVED', message, { details: { placeholder } });
  }
}

/** A task's login storage-state file is not where it should be when the task is run. */
export class StorageStateMissingError extends DreambridgeError {
  constructor(path: string) {
    super('STORAGE_STATE_MISSING', `storage state ${path} does not exist (run the site's login first, or pass the directory holding it)`, { details: { path } });
  }
}

/** An LLM judge could not be asked (endpoint down, HTTP error, timeout); never a verdict it gave. */
export class JudgeFailedError extends DreambridgeError {
  constructor(judge: string, problem: string, cause?: unknown) {
    super('JUDGE_FAILED', `judge ${judge}: ${problem}`, { cause, details: { judge } });
  }
}

/** A line of an answers file (JSONL of {task_id, answer, url}) that cannot be used. */
export class AnswersInvalidError extends DreambridgeError {
  constructor(file: string, line: number, problem: string) {
    super('ANSWERS_INVALID', `${file}:${line}: ${problem}`, { details: { file, line } });
  }
}

/** A login whose success check failed: the site said why (quoted), and no storage state was written. */
export class LoginFailedError extends DreambridgeError {
  constructor(site: string, problem: string, pageSaid: string) {
    super('LOGIN_FAILED', `login to ${site} failed: ${problem}${pageSaid ? `; the page said: "${pageSaid}"` : ''}`, { details: { site, page_said: pageSaid } });
  }
}

/** A storage state whose login no longer holds (expired session), with no credentials to log in again. */
export class StorageStateStaleError extends DreambridgeError {
  constructor(site: string, path: string, problem: string) {
    super('STORAGE_STATE_STALE', `storage state ${path} is stale for ${site}: ${problem} (give the site's login credentials to log in again, or renew the file)`, { details: { site, path } });
  }
}

/** A site's reset (command or HTTP request) failed, or the site was not ready after it. */
export class ResetFailedError extends DreambridgeError {
  constructor(site: string, problem: string) {
    super('RESET_FAILED', `reset of ${site} failed: ${problem}`, { details: { site } });
  }
}

/** Tasks that need a reset (`require_reset: true`) on a site that has none configured. */
export class ResetRequiredError extends DreambridgeError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('RESET_REQUIRED', message, { details });
  }
}

export const isDreambridgeError = (error: unknown): error is DreambridgeError =>
  error instanceof DreambridgeError;

// The remaining codes: the message is the throw site's, so each class only fixes its code.
// EPISODE_TIMEOUT and TASKGEN_FAILED have theirs where they are thrown: harness/run-episode.ts,
// adapters/browser/context-expiry.ts and harness/curriculum/task-generation-error.ts.

/** An action the env's profile does not accept (step results carry it as `INVALID_ACTION: …`). */
export class InvalidActionError extends DreambridgeError {
  constructor(message: string, options: DreambridgeErrorOptions = {}) {
    super('INVALID_ACTION', message, options);
  }
}

/** An experience model's (or embedder's) reply that holds no usable answer. */
export class ModelOutputUnparseableError extends DreambridgeError {
  constructor(message: string, options: DreambridgeErrorOptions = {}) {
    super('MODEL_OUTPUT_UNPARSEABLE', message, options);
  }
}

/** A browser found but not launched, or a remote endpoint not connected. */
export class BrowserLaunchFailedError extends DreambridgeError {
  constructor(message: string, options: DreambridgeErrorOptions = {}) {
    super('BROWSER_LAUNCH_FAILED', message, options);
  }
}

/** A page that did not load, or a page element an action needs that is not there. */
export class NavigationFailedError extends DreambridgeError {
  constructor(message: string, options: DreambridgeErrorOptions = {}) {
    super('NAVIGATION_FAILED', message, options);
  }
}

/** A goal index outside the catalogue's goals. */
export class GoalOutOfRangeError extends DreambridgeError {
  constructor(message: string, options: DreambridgeErrorOptions = {}) {
    super('GOAL_OUT_OF_RANGE', message, options);
  }
}

/** A site base URL that is not a URL or does not answer. */
export class BaseUrlUnreachableError extends DreambridgeError {
  constructor(message: string, options: DreambridgeErrorOptions = {}) {
    super('BASE_URL_UNREACHABLE', message, options);
  }
}


/** A budget ledger file that cannot be read or does not hold a ledger. */
export class LedgerInvalidError extends DreambridgeError {
  constructor(message: string, options: DreambridgeErrorOptions = {}) {
    super('LEDGER_INVALID', message, options);
  }
}

/** A budget ledger whose lock could not be taken. */
export class LedgerLockedError extends DreambridgeError {
  constructor(message: string, options: DreambridgeErrorOptions = {}) {
    super('LEDGER_LOCKED', message, options);
  }
}

/** A budget ledger kept in Redis that cannot be reached (or stopped answering): no real step may proceed unbudgeted. */
export class LedgerUnavailableError extends DreambridgeError {
  constructor(message: string, options: DreambridgeErrorOptions = {}) {
    super('LEDGER_UNAVAILABLE', message, options);
  }
}

/** Every endpoint of a browser farm is down (none came back within the farm's wait): no real episode can start. */
export class BrowserFarmUnavailableError extends DreambridgeError {
  constructor(message: string, options: DreambridgeErrorOptions = {}) {
    super('BROWSER_FARM_UNAVAILABLE', message, options);
  }
}

/** An LLM request that got no reply (HTTP error, timeout, connection refused) after the client's retries. */
export class ModelRequestFailedError extends DreambridgeError {
  constructor(message: string, options: DreambridgeErrorOptions = {}) {
    super('MODEL_REQUEST_FAILED', message, options);
  }
}

/** A dream session asked of a server started without an experience model. */
export class DreamNotConfiguredError extends DreambridgeError {
  constructor(message: string, options: DreambridgeErrorOptions = {}) {
    super('DREAM_NOT_CONFIGURED', message, options);
  }
}

/** A server session that was closed (by its client, the idle reaper or shutdown). */
export class SessionClosedError extends DreambridgeError {
  constructor(message: string, options: DreambridgeErrorOptions = {}) {
    super('SESSION_CLOSED', message, options);
  }
}

/** A server session or environment id nobody created. */
export class SessionNotFoundError extends DreambridgeError {
  constructor(message: string, options: DreambridgeErrorOptions = {}) {
    super('SESSION_NOT_FOUND', message, options);
  }
}

/** Every server session is in use. */
export class CapacityReachedError extends DreambridgeError {
  constructor(message: string, options: DreambridgeErrorOptions = {}) {
    super('CAPACITY_REACHED', message, options);
  }
}

/** A wire request that does not match its schema or asks for something the server cannot give. */
export class ValidationError extends DreambridgeError {
  constructor(message: string, options: DreambridgeErrorOptions = {}) {
    super('VALIDATION_ERROR', message, options);
  }
}

/** A request without the server's bearer token. */
export class UnauthorizedError extends DreambridgeError {
  constructor(message: string, options: DreambridgeErrorOptions = {}) {
    super('UNAUTHORIZED', message, options);
  }
}

/** Shadow lines to measure fidelity from that are missing or hold no successful prediction. */
export class ShadowDataMissingError extends DreambridgeError {
  constructor(message: string, options: DreambridgeErrorOptions = {}) {
    super('SHADOW_DATA_MISSING', message, options);
  }
}

/** The retrieval experience model has no recorded transition of the asked action's kind. */
export class RetrievalNoMatchError extends DreambridgeError {
  constructor(message: string, options: DreambridgeErrorOptions = {}) {
    super('RETRIEVAL_NO_MATCH', message, options);
  }
}

/** A file given as WebShop's session log that is not one (not JSONL of logged pages). */
export class SessionLogInvalidError extends DreambridgeError {
  constructor(file: string, line: number, problem: string) {
    super('SESSION_LOG_INVALID', `${file}:${line}: ${problem}`, { details: { file, line } });
  }
}

/** A run directory given as expert trajectories that holds none to branch from. */
export class ExpertEpisodesMissingError extends DreambridgeError {
  constructor(message: string, options: DreambridgeErrorOptions = {}) {
    super('EXPERT_EPISODES_MISSING', message, options);
  }
}

/** A page the http transport cannot read without running its scripts (`--transport http` refuses it). */
export class ScriptRequiredError extends DreambridgeError {
  constructor(message: string, options: DreambridgeErrorOptions = {}) {
    super('SCRIPT_REQUIRED', message, options);
  }
}
