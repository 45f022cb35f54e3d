import type { Logger } from 'pino';
import { WebSocket, type RawData } from 'ws';
import { EnvNotResetError, SessionClosedError } from '../env/errors.js';
import { openEnvPayload } from './openenv-payload.js';
import { parseWire } from './parse-wire.js';
import type { Session } from './session.js';
import type { SessionManager } from './session-manager.js';
import { protocolError, toWireError, type WireError } from './wire-error.js';
import {
  wireActionSchema,
  wireResetSchema,
  wsCloseMessageSchema,
  wsResetMessageSchema,
  wsStateMessageSchema,
  wsStepMessageSchema,
  type WireState,
} from './wire-schemas.js';

export interface WsConnectionOptions {
  manager: SessionManager;
  /** The site's reset schema (wireResetSchemaFor its profile's task ids). Default: the generic one. */
  resetSchema?: typeof wireResetSchema;
  /** Messages larger than this get a VALIDATION_ERROR reply (the connection stays open). */
  maxMessageBytes: number;
  logger: Logger;
}

/** The state of a connection that has no episode yet. */
const blankState = (figures: { used: number; cap: number | null }): WireState => ({
  session_id: null,
  episode_id: null,
  step_count: 0,
  task_id: null,
  mode: null,
  source: null,
  done: false,
  cum_reward: 0,
  real_steps_used: figures.used,
  real_steps_cap: figures.cap,
  session_real_steps: 0,
});

const byteLength = (data: RawData): number =>
  Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data instanceof ArrayBuffer ? data.byteLength : data.length;

const toText = (data: RawData): string =>
  Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');

/** A well-formed `{"type":"close"}`, recognised before queueing. */
const isCloseMessage = (data: RawData): boolean => {
  if (byteLength(data) > 64) return false;
  try {
    return wsCloseMessageSchema.safeParse(JSON.parse(toText(data))).success;
  } catch {
    return false;
  }
};

/**
 * One OpenEnv WebSocket connection = one session. Messages are answered one at a time, in order,
 * each with exactly one reply (`observation`, `state` or `error`) except `close`, which closes the
 * session and the connection at once (aborting an operation in flight). The session (and its capacity slot) is taken by the first reset;
 * if the reaper releases it (its env closed, its id kept), steps answer ENV_NOT_RESET and the
 * next reset reopens it. An
 * error reply never ends the connection.
 */
export const serveWsConnection = (socket: WebSocket, options: WsConnectionOptions): void => {
  const { manager, logger } = options;
  let session: Session | undefined;
  let chain: Promise<void> = Promise.resolve();
  let gone = false;

  const send = (payload: unknown): void => {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(payload));
  };
  const sendError = (error: WireError): void => {
    const { status: _status, ...data } = error;
    send({ type: 'error', data });
  };

  /** The connection's live session for a step or state, or why there is none. */
  const current = (): Session | undefined => {
    if (session?.isClosed) throw new SessionClosedError('this session was closed (the server is stopping, or its record was forgotten): reset to start a new one');
    return session;
  };

  const handle = async (data: RawData): Promise<void> => {
    const size = byteLength(data);
    if (size > options.maxMessageBytes) {
      sendError(protocolError('VALIDATION_ERROR', `message of ${size} bytes is larger than the ${options.maxMessageBytes}-byte limit`));
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(toText(data));
    } catch (error) {
      sendError(protocolError('INVALID_JSON', `Invalid JSON: ${(error as Error).message}`));
      return;
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      sendError(protocolError('VALIDATION_ERROR', 'a message is a JSON object with a "type" (reset, step, state or close)'));
      return;
    }
    const type = (message as { type?: unknown }).type;
    try {
      switch (type) {
        case 'reset': {
          const envelope = parseWire(wsResetMessageSchema, message, 'the reset message');
          const request = parseWire(options.resetSchema ?? wireResetSchema, envelope.data ?? {}, 'the reset data');
          if (!session || session.isClosed) session = manager.create('ws');
          const reply = await session.reset(request);
          send({ type: 'observation', data: openEnvPayload(reply, session.key) });
          return;
        }
        case 'step': {
          const envelope = parseWire(wsStepMessageSchema, message, 'the step message');
          const action = parseWire(wireActionSchema, envelope.data, 'the action');
          const live = current();
          if (!live) throw new EnvNotResetError('no episode to step: send a reset first');
          send({ type: 'observation', data: openEnvPayload(await live.step(action), live.key) });
          return;
        }
        case 'state': {
          parseWire(wsStateMessageSchema, message, 'the state message');
          const live = current();
          send({ type: 'state', data: live ? await live.state() : blankState(await manager.figures()) });
          return;
        }
        case 'close':
          // A valid close never gets here (see isCloseMessage): this one has extra fields.
          parseWire(wsCloseMessageSchema, message, 'the close message');
          return;
        default:
          sendError(protocolError('UNKNOWN_TYPE', `Unknown message type: ${typeof type === 'string' ? type.slice(0, 100) : JSON.stringify(type) ?? 'none'}`));
      }
    } catch (error) {
      const wire = toWireError(error);
      if (wire.code === 'EXECUTION_ERROR' && wire.status >= 500) logger.warn({ session: session?.id, code: wire.error_code, message: wire.message }, 'operation failed');
      sendError(wire);
    }
  };

  socket.on('message', (data) => {
    if (gone) return;
    if (isCloseMessage(data)) {
      // Not queued behind an operation in flight: close aborts it and frees the env at once.
      gone = true;
      const closing = session ? manager.close(session, 'closed', 'closed by the client') : Promise.resolve();
      session = undefined;
      // An event handler cannot await: the close runs on, its failure is logged, then the socket closes.
      void closing.catch((error: unknown) => logger.error({ err: error }, 'closing a session failed')).finally(() => socket.close(1000, 'closed'));
      return;
    }
    chain = chain.then(() => handle(data)).catch((error: unknown) => logger.error({ err: error }, 'ws message handler failed'));
  });
  socket.on('close', (code) => {
    const dropped = !gone;
    gone = true;
    if (dropped) logger.info({ session: session?.id, code }, 'client disconnected without a close message');
    // A dropped connection is a close: the episode is recorded and the browser context freed
    // (in the background: nobody is left to answer; a failure is logged).
    if (session && !session.isClosed) void manager.close(session, 'closed', 'the connection closed').catch((error: unknown) => logger.error({ err: error }, 'closing a session failed'));
  });
  socket.on('error', (error) => logger.debug({ err: error }, 'ws connection error'));
};
