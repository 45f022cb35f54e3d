import { DreambridgeError, type ErrorCode } from '../env/errors.js';

/**
 * Error codes on the wire: OpenEnv's own (INVALID_JSON … SESSION_ERROR) plus ours. Clients
 * switch on these; everything else a failure knows is in `error_code` (our stable code, e.g.
 * STEP_TIMEOUT under EXECUTION_ERROR) and `message`.
 */
export type WireErrorCode =
  | 'INVALID_JSON'
  | 'UNKNOWN_TYPE'
  | 'VALIDATION_ERROR'
  | 'EXECUTION_ERROR'
  | 'CAPACITY_REACHED'
  | 'FACTORY_ERROR'
  | 'SESSION_ERROR'
  | 'REAL_BUDGET_EXHAUSTED'
  | 'DREAM_NOT_CONFIGURED'
  | 'SESSION_CLOSED'
  | 'SESSION_NOT_FOUND'
  | 'UNAUTHORIZED';

/** One error reply: the WS `data` of `{"type":"error"}` and (with `status`) the HTTP answer. */
export interface WireError {
  code: WireErrorCode;
  message: string;
  /** HTTP status of the same failure. */
  status: number;
  /** Our stable code when it says more than `code` (e.g. STEP_TIMEOUT, ENV_NOT_RESET). */
  error_code?: ErrorCode;
  /** Validation issues `{loc, msg, type}`, as OpenEnv lists pydantic's. */
  errors?: unknown[];
  /** Extra facts (capacity figures, budget snapshot, …). */
  details?: Record<string, unknown>;
}

/** Our codes that go on the wire as they are, with their HTTP status. */
const PASSTHROUGH: Partial<Record<ErrorCode, { code: WireErrorCode; status: number }>> = {
  REAL_BUDGET_EXHAUSTED: { code: 'REAL_BUDGET_EXHAUSTED', status: 409 },
  DREAM_NOT_CONFIGURED: { code: 'DREAM_NOT_CONFIGURED', status: 409 },
  SESSION_CLOSED: { code: 'SESSION_CLOSED', status: 409 },
  SESSION_NOT_FOUND: { code: 'SESSION_NOT_FOUND', status: 404 },
  CAPACITY_REACHED: { code: 'CAPACITY_REACHED', status: 503 },
  VALIDATION_ERROR: { code: 'VALIDATION_ERROR', status: 422 },
  UNAUTHORIZED: { code: 'UNAUTHORIZED', status: 401 },
};

/** HTTP status of an execution failure by our code; anything else is a 500. */
const EXECUTION_STATUS: Partial<Record<ErrorCode, number>> = {
  ENV_NOT_RESET: 409,
  STEP_TIMEOUT: 504,
  EPISODE_TIMEOUT: 504,
  BROWSER_FARM_UNAVAILABLE: 503,
};

/** An environment could not be created (browser down, model unreachable): OpenEnv's FACTORY_ERROR. */
export class FactoryFailure extends Error {
  constructor(readonly failure: unknown) {
    super(failure instanceof Error ? failure.message : String(failure));
    this.name = 'FactoryFailure';
  }
}

/** A protocol-level reply that is not a thrown product error (bad JSON, unknown message type). */
export const protocolError = (code: 'INVALID_JSON' | 'UNKNOWN_TYPE' | 'VALIDATION_ERROR', message: string, errors?: unknown[]): WireError => ({
  code,
  message,
  status: code === 'INVALID_JSON' ? 400 : 422,
  ...(errors === undefined ? {} : { errors }),
});

const firstLine = (message: string): string => message.split('\n')[0] ?? message;

/** Maps any failure of a session operation to its wire error. */
export const toWireError = (error: unknown): WireError => {
  if (error instanceof FactoryFailure) {
    const inner = error.failure instanceof DreambridgeError ? { error_code: error.failure.code } : {};
    return { code: 'FACTORY_ERROR', message: `could not create the environment: ${firstLine(error.message)}`, status: 503, ...inner };
  }
  if (error instanceof DreambridgeError) {
    const passthrough = PASSTHROUGH[error.code];
    const { errors: _errors, ...facts } = error.details;
    const details = Object.keys(facts).length > 0 ? { details: facts } : {};
    if (passthrough) {
      const issues = Array.isArray(error.details['errors']) ? { errors: error.details['errors'] as unknown[] } : {};
      return { code: passthrough.code, message: error.message, status: passthrough.status, ...issues, ...details };
    }
    return { code: 'EXECUTION_ERROR', message: firstLine(error.message), status: EXECUTION_STATUS[error.code] ?? 500, error_code: error.code, ...details };
  }
  return { code: 'EXECUTION_ERROR', message: error instanceof Error ? firstLine(error.message) : String(error), status: 500 };
};

/** The HTTP body of an error: FastAPI's `detail` plus the same fields as over WS. */
export const httpErrorBody = (error: WireError): Record<string, unknown> => {
  const { status: _status, ...rest } = error;
  return { detail: error.errors ?? error.message, ...rest };
};
