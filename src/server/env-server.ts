import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import express, { type NextFunction, type Request, type Response } from 'express';
import { pino, type Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { RealBudget } from '../budget/index.js';
import type { Env, EnvFactory } from '../env/env.js';
import { ConfigInvalidError } from '../env/errors.js';
import type { EnvName, Observation, SiteProfile, Task } from '../protocol/index.js';
import type { RunDirectory } from '../store/index.js';
import { agentGymRoutes } from './agentgym-routes.js';
import { agentGymWebArenaRoutes } from './agentgym-webarena-routes.js';
import { createBudgetGate, type OnBudgetExhausted } from './budget-gate.js';
import { mcpRoutes } from './mcp-routes.js';
import { openEnvRoutes, type ServerMetadata } from './openenv-routes.js';
import { defaultMaxRealSessions } from './default-max-real-sessions.js';
import { assertBindAllowed, isLoopbackHost, refusal, splitPathToken, type AccessPolicy } from './security.js';
import { SessionLimits } from './session-limits.js';
import { SessionManager } from './session-manager.js';
import { ServerMetrics } from './server-metrics.js';
import type { Mode, ModeProvider, SessionServices } from './session-services.js';
import { TaskPicker } from './task-picker.js';
import { httpErrorBody, protocolError } from './wire-error.js';
import { wireResetSchemaFor } from './wire-schemas.js';
import { serveWsConnection } from './ws-connection.js';

/** Environments of one mode and the tasks resets pick from. */
export interface ModeSource {
  factory: EnvFactory;
  /** Tasks in order (resets without task_id take them by seed or in turn). */
  tasks: () => readonly Task[];
}

export interface EnvServerOptions {
  envName: EnvName;
  /** The live site; omit for a dream-only server. */
  real?: ModeSource;
  /** The experience model's envs; omit when none is configured (dream resets answer DREAM_NOT_CONFIGURED). */
  dream?: ModeSource & {
    /** The site's tasks by id (with their instructions where known): dream resets may name any of them. */
    taskById?: (id: string) => Task | undefined;
    /** A dream env that goes on from a real episode's state (needed by `onBudgetExhausted: 'dream'` mid-episode). */
    continueFrom?: (task: Task, observation: Observation, stepsTaken: number) => Env;
  };
  /** What DREAM_NOT_CONFIGURED tells the client to configure. */
  dreamHint?: string;
  /** The site profile: replayed states are compared by its canonical key; its schemas describe the wire. */
  profile: SiteProfile;
  /** Where every transition and episode goes, and the run id they carry. */
  runDir: RunDirectory;
  runId: string;
  /** The real-interaction budget; none = unlimited (real steps still counted in `state`). */
  budget?: RealBudget;
  /** Charge resets to the budget too. Default false. */
  countResets?: boolean;
  /** Past the cap: refuse with REAL_BUDGET_EXHAUSTED (`stop`, the default) or go on in a dream. */
  onBudgetExhausted?: OnBudgetExhausted;
  /** Interface to bind. Default 127.0.0.1 (a non-loopback one needs `token` or `insecure`). */
  host?: string;
  /** Port; 0 picks a free one. Default 0. */
  port?: number;
  /** Token on every route but /health and on WS upgrades: `Authorization: Bearer T`, or the path prefix `/t/T`. Default none. */
  token?: string;
  /** Allow a non-loopback bind without a token. Default false. */
  insecure?: boolean;
  /** Browser origins allowed (WS upgrades and HTTP requests carrying `Origin`). Default none. */
  allowOrigins?: readonly string[];
  /** Sessions holding an environment at once (dream and real). Default 1024. */
  maxSessions?: number;
  /** Sessions holding a browser context (real env) at once. Default from cores and memory (defaultMaxRealSessions). */
  maxRealSessions?: number;
  /** Session ids kept (open and released ones). Default 16,384 (~1 KB each when released). */
  maxSessionRecords?: number;
  /** Mode of AgentGym envs created without a body. Default real (dream on a dream-only server). */
  agentGymMode?: Mode;
  /** Browser contexts in use in the site's browser, for /metrics (else those held by sessions). */
  openContexts?: () => number;
  /** Idle time before a session is reaped, ms; 0 = never. Default 300000 (5 min). */
  idleTimeoutMs?: number;
  /** Deadline of a reset or step when the request gives none, ms. Default 30000. */
  stepTimeoutMs?: number;
  /** Largest HTTP body, bytes (413 past it). Default 262144. */
  maxBodyBytes?: number;
  /** Largest WS message answered normally, bytes (VALIDATION_ERROR past it). Default 262144. */
  maxMessageBytes?: number;
  /** Largest WS frame at all (the connection is closed with 1009 past it). Default 4 MiB. */
  maxFrameBytes?: number;
  /** WS connections at once (upgrades past it get 503). Default 4 × maxSessions + 16. */
  maxConnections?: number;
  /** How long closing a session waits for its operation in flight after aborting it, ms. Default 5000. */
  closeWaitMs?: number;
  /** Interval of WS pings that find dead peers, ms. Default 30000. */
  heartbeatMs?: number;
  /**
   * Which AgentGym environment server `/agentgym` speaks like: agentenv-webshop's shapes
   * (`webshop`, the default) or agentenv-webarena's (`webarena`). The site definition says which.
   */
  agentGymDialect?: AgentGymDialect;
  metadata?: Partial<ServerMetadata>;
  logger?: Logger;
}

export type AgentGymDialect = 'webshop' | 'webarena';

export interface RunningEnvServer {
  /** `http://host:port` (WS at `ws://host:port/ws`). */
  url: string;
  port: number;
  host: string;
  manager: SessionManager;
  /** The capacity counters and their limits. */
  limits: SessionLimits;
  metrics: ServerMetrics;
  /** Open WS connections. */
  connections(): number;
  /** Stops accepting, closes every session (`interrupted`) and connection. Idempotent. */
  close(): Promise<void>;
}

const DEFAULT_DREAM_HINT =
  'no experience model is configured on this server: start it with --buffer RUN_DIR (recorded transitions; the embedded retrieval model) and/or --model openai:NAME (an LLM)';

const sameStateWith = (profile: SiteProfile) => (recorded: { text: string; url?: string | undefined }, actual: Observation): boolean => {
  const a = profile.canonicalKey(recorded.url === undefined ? { text: recorded.text } : { text: recorded.text, url: recorded.url });
  return a.key === profile.canonicalKey(actual).key;
};

const rejectUpgrade = (socket: Duplex, status: number, message: string): void => {
  const body = JSON.stringify({ detail: message, message });
  const reason = status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : status === 404 ? 'Not Found' : 'Service Unavailable';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
};

/** Path of a request without its query string (which may carry a token: never logged). */
const pathOf = (req: IncomingMessage): string => (req.url ?? '/').split('?')[0] ?? '/';

/**
 * Starts the environment server: OpenEnv over WS /ws and HTTP, AgentGym under /agentgym, on one
 * port. Sessions, budget and run directory are shared by all routes.
 */
export const startEnvServer = async (options: EnvServerOptions): Promise<RunningEnvServer> => {
  const host = options.host ?? '127.0.0.1';
  assertBindAllowed({ host, token: options.token, insecure: options.insecure });
  if (!options.real && !options.dream) throw new ConfigInvalidError('the server needs real or dream environments (or both)');
  const logger = options.logger ?? pino({ level: 'silent' });
  const maxSessions = options.maxSessions ?? 1024;
  const maxRealSessions = options.maxRealSessions ?? defaultMaxRealSessions();
  const limits = new SessionLimits({ maxSessions, maxRealSessions });
  const maxMessageBytes = options.maxMessageBytes ?? 256 * 1024;
  const modes: Partial<Record<Mode, ModeProvider>> = {};
  if (options.real) {
    const { factory, tasks } = options.real;
    modes.real = { create: (o) => factory.create(o), picker: new TaskPicker({ env: options.envName, tasks, openWorld: true }) };
  }
  if (options.dream) {
    const { factory, tasks, taskById } = options.dream;
    modes.dream = { create: (o) => factory.create(o), picker: new TaskPicker({ env: options.envName, tasks, openWorld: false, lookup: taskById }) };
  }
  const defaultMode: Mode = options.real ? 'real' : 'dream';
  const continueFrom = options.dream?.continueFrom;
  const budgetGate = createBudgetGate({ ...(options.budget ? { budget: options.budget } : {}), countResets: options.countResets ?? false });
  const metrics = new ServerMetrics({ manager: () => manager, limits, budget: () => budgetGate.figures(), openContexts: options.openContexts });
  const services: SessionServices = {
    recorder: { runDir: options.runDir, runId: options.runId, envName: options.envName },
    stepTimeoutMs: options.stepTimeoutMs ?? 30_000,
    closeWaitMs: options.closeWaitMs ?? 5_000,
    modes,
    defaultMode,
    dreamHint: options.dreamHint ?? DEFAULT_DREAM_HINT,
    onBudgetExhausted: options.onBudgetExhausted ?? 'stop',
    budget: budgetGate,
    ...(continueFrom ? { continueInDream: continueFrom } : {}),
    sameState: sameStateWith(options.profile),
    logger,
    limits,
    maxSteps: options.profile.maxSteps,
    observe: (what, source, seconds) => metrics.observe(what, source, seconds),
  };
  const manager = new SessionManager({ idleTimeoutMs: options.idleTimeoutMs ?? 300_000, ...(options.maxSessionRecords === undefined ? {} : { maxRecords: options.maxSessionRecords }) }, services);
  const policy: AccessPolicy = { token: options.token, allowOrigins: options.allowOrigins ?? [], loopbackBind: isLoopbackHost(host) };
  const metadata: ServerMetadata = {
    name: `dreambridge-${options.envName}`,
    description: `${options.profile.displayName} as text states (${[options.real ? 'real: a live site through a browser' : '', options.dream ? 'dream: an experience model' : ''].filter(Boolean).join('; ')}); actions are {action_str} in the site's grammar`,
    version: '0.0.0',
    ...options.metadata,
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((req: Request, res: Response, next: NextFunction) => {
    // `/t/<token>/…` is every route with the token in the path; routes below see it without.
    const split = splitPathToken(req.url);
    if (split) req.url = split.url;
    const refused = refusal(req, policy, req.path, split?.token);
    if (refused) {
      res.status(refused.status).json({ detail: refused.message, code: 'UNAUTHORIZED', message: refused.message });
      return;
    }
    next();
  });
  const maxBodyBytes = options.maxBodyBytes ?? 256 * 1024;
  // Resets are read with the site's own task-id schema (its profile registers it).
  const resetSchema = wireResetSchemaFor(options.profile.taskIdSchema);
  // Before the JSON parser: a body that is not JSON is a JSON-RPC parse error there, not a 400.
  app.use('/mcp', mcpRoutes({ manager, resetSchema, serverInfo: { name: metadata.name, version: metadata.version }, maxBodyBytes, logger }));
  // Every body is read as JSON whatever its content type (clients forget the header), up to the limit.
  app.use(express.json({ limit: options.maxBodyBytes ?? 256 * 1024, type: () => true, strict: false }));
  app.get('/metrics', (_req: Request, res: Response, next: NextFunction) => {
    metrics.text().then((text) => res.type(metrics.contentType).send(text), next);
  });
  app.use(openEnvRoutes({ manager, metadata, availableActions: options.profile.availableActionsSchema, resetSchema, logger }));
  const agentGymMode: Mode = options.agentGymMode ?? defaultMode;
  if (!modes[agentGymMode]) throw new ConfigInvalidError(`AgentGym envs are to be ${agentGymMode} (--agentgym-mode ${agentGymMode}) but this server has no ${agentGymMode} environments`);
  const taskOf = (taskId: string): Task | undefined => [...(options.real?.tasks() ?? []), ...(options.dream?.tasks() ?? [])].find((t) => t.task_id === taskId);
  app.use(
    '/agentgym',
    options.agentGymDialect === 'webarena'
      ? agentGymWebArenaRoutes({ manager, defaultMode: agentGymMode, taskOf, logger })
      : agentGymRoutes({ manager, instructionText: (instruction) => options.profile.instructionText(instruction), defaultMode: agentGymMode, logger }),
  );
  app.use((req: Request, res: Response) => {
    res.status(404).json({ detail: 'Not Found', message: `no route ${req.method} ${req.path}` });
  });
  app.use((error: { type?: string; status?: number; message?: string }, req: Request, res: Response, _next: NextFunction) => {
    if (error.type === 'entity.too.large') {
      res.status(413).json(httpErrorBody({ ...protocolError('VALIDATION_ERROR', `request body larger than ${options.maxBodyBytes ?? 256 * 1024} bytes`), status: 413 }));
    } else if (error.type === 'entity.parse.failed') {
      res.status(400).json(httpErrorBody(protocolError('INVALID_JSON', `Invalid JSON: ${error.message ?? ''}`)));
    } else if (typeof error.status === 'number' && error.status >= 400 && error.status < 500) {
      res.status(error.status).json({ detail: error.message ?? 'bad request', code: 'VALIDATION_ERROR', message: error.message ?? 'bad request' });
    } else {
      logger.error({ err: error, path: req.path }, 'unhandled request error');
      res.status(500).json({ detail: 'internal error', code: 'EXECUTION_ERROR', message: 'internal error' });
    }
  });

  const server = createServer(app);
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxFrameBytes ?? 4 * 1024 * 1024 });
  const maxConnections = options.maxConnections ?? maxSessions * 4 + 16;
  const alive = new WeakSet<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    const split = splitPathToken(req.url ?? '/');
    if (split) req.url = split.url;
    const path = pathOf(req);
    // The token is checked first: a 404 must not tell a stranger which paths exist.
    const refused = refusal(req, policy, path, split?.token);
    if (refused) return rejectUpgrade(socket, refused.status, refused.message);
    if (path !== '/ws') return rejectUpgrade(socket, 404, `no WebSocket endpoint at ${path} (use /ws)`);
    if (wss.clients.size >= maxConnections) return rejectUpgrade(socket, 503, `CAPACITY_REACHED: ${maxConnections} WebSocket connections are open`);
    wss.handleUpgrade(req, socket, head, (ws) => {
      alive.add(ws);
      ws.on('pong', () => alive.add(ws));
      serveWsConnection(ws, { manager, resetSchema, maxMessageBytes, logger });
    });
  });
  // Peers that vanished without a close (a killed trainer, a dropped network) are found by pings.
  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, options.heartbeatMs ?? 30_000);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${urlHost}:${address.port}`;
  logger.info({ url, maxSessions, maxRealSessions, modes: Object.keys(modes), agentGymMode }, 'environment server listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port: address.port,
    host,
    manager,
    limits,
    metrics,
    connections: () => wss.clients.size,
    close: () => {
      closing ??= (async () => {
        clearInterval(heartbeat);
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const ws of wss.clients) ws.close(1001, 'server stopping');
        await manager.closeAll('interrupted');
        server.closeAllConnections();
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        await stopped;
      })();
      return closing;
    },
  };
};
