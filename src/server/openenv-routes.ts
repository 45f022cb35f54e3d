import { Router, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { hasCode } from '../env/code-of.js';
import { EnvNotResetError } from '../env/errors.js';
import { openApiDocument, schemaDocument } from './openapi.js';
import { OPENENV_API_VERSION } from './openenv-version.js';
import { openEnvPayload } from './openenv-payload.js';
import { parseWire } from './parse-wire.js';
import { resetHttpSession } from './http-session-reset.js';
import type { Session } from './session.js';
import type { SessionManager } from './session-manager.js';
import { httpErrorBody, toWireError } from './wire-error.js';
import { httpStepSchema, wireActionSchema, wireResetSchema } from './wire-schemas.js';

/** OpenEnv's EnvironmentMetadata (`GET /metadata`): no other keys, as its model forbids them. */
export interface ServerMetadata {
  name: string;
  description: string;
  /** The environment's version (this package's); the protocol's is `info.version` of /openapi.json. */
  version: string;
  readme_content?: string;
  author?: string;
  documentation_url?: string;
}

export interface OpenEnvRoutesOptions {
  manager: SessionManager;
  metadata: ServerMetadata;
  /** The site's `available_actions` schema (its profile's), for /schema and /openapi.json. */
  availableActions: z.ZodType<Record<string, unknown>>;
  /** The site's reset schema (wireResetSchemaFor its profile's task ids). Default: the generic one. */
  resetSchema?: typeof wireResetSchema;
  logger: Logger;
}

/** Sends the wire error of a failure with its HTTP status. */
export const sendFailure = (res: Response, error: unknown, logger: Logger): void => {
  const wire = toWireError(error);
  if (wire.status >= 500 && wire.code !== 'CAPACITY_REACHED') logger.warn({ code: wire.code, error_code: wire.error_code, message: wire.message }, 'request failed');
  if (wire.code === 'CAPACITY_REACHED') res.setHeader('Retry-After', '1');
  res.status(wire.status).json(httpErrorBody(wire));
};

/** Runs a handler; whatever it throws becomes the wire error reply. */
export const handler =
  (logger: Logger, work: (req: Request, res: Response) => Promise<void> | void) =>
  async (req: Request, res: Response): Promise<void> => {
    try {
      await work(req, res);
    } catch (error) {
      sendFailure(res, error, logger);
    }
  };

const bodyOf = (req: Request): unknown => (req.body === undefined ? {} : req.body);

/** The HTTP session a request names: body `session_id`, the `X-Session-Id` header, or the query. */
const sessionKeyOf = (req: Request, body: { session_id?: string | undefined }): string | undefined => {
  const header = req.get('x-session-id');
  const query = typeof req.query['session_id'] === 'string' ? req.query['session_id'] : undefined;
  return body.session_id ?? header ?? query;
};

/**
 * OpenEnv's HTTP routes. OpenEnv's own HTTP reset/step are single-shot (a fresh env per request);
 * ours keep the env between calls: POST /reset opens an HTTP session (or resets the one named by
 * `session_id`) and answers its id in `observation.session_id` and `X-Session-Id`; POST /step and
 * GET /state take it back. Multi-step episodes are better served over WS /ws.
 */
export const openEnvRoutes = (options: OpenEnvRoutesOptions): Router => {
  const { manager, logger } = options;
  const router = Router();

  router.get('/health', (_req, res) => {
    res.json({ status: 'healthy' });
  });
  const { name, description, version, readme_content, author, documentation_url } = options.metadata;
  const metadata = { name, description, version, ...(readme_content === undefined ? {} : { readme_content }), ...(author === undefined ? {} : { author }), ...(documentation_url === undefined ? {} : { documentation_url }) };
  router.get('/metadata', (_req, res) => {
    res.json(metadata);
  });
  const resetSchema = options.resetSchema ?? wireResetSchema;
  const schemas = schemaDocument(options.availableActions);
  router.get('/schema', (_req, res) => {
    res.json(schemas);
  });
  const openapi = openApiDocument({ version: OPENENV_API_VERSION, title: `${options.metadata.name} environment server`, description: options.metadata.description, availableActions: options.availableActions, resetSchema });
  router.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });

  router.post(
    '/reset',
    handler(logger, async (req, res) => {
      const request = parseWire(resetSchema, bodyOf(req), 'the reset request');
      const { session, payload } = await resetHttpSession(manager, request, sessionKeyOf(req, request));
      res.setHeader('X-Session-Id', session.key);
      res.json(payload);
    }),
  );

  router.post(
    '/step',
    handler(logger, async (req, res) => {
      const request = parseWire(httpStepSchema, bodyOf(req), 'the step request');
      const action = parseWire(wireActionSchema, request.action, 'the action');
      const key = sessionKeyOf(req, request);
      if (key === undefined) {
        throw new EnvNotResetError('POST /step needs the session_id that POST /reset answered (in the body or the X-Session-Id header); for whole episodes use WS /ws');
      }
      const session = manager.byKey(key);
      const reply = await session.step(action, request.timeout_s === undefined ? undefined : Math.round(request.timeout_s * 1000));
      res.setHeader('X-Session-Id', session.key);
      res.json(openEnvPayload(reply, session.key));
    }),
  );

  router.get(
    '/state',
    handler(logger, async (req, res) => {
      const key = sessionKeyOf(req, {});
      if (key === undefined) {
        // OpenEnv answers the state of a fresh env here: no episode yet.
        const figures = await manager.figures();
        res.json({ session_id: null, episode_id: null, step_count: 0, task_id: null, mode: null, source: null, done: false, cum_reward: 0, real_steps_used: figures.used, real_steps_cap: figures.cap, session_real_steps: 0 });
        return;
      }
      res.json(await manager.byKey(key).state());
    }),
  );

  router.post(
    '/close',
    handler(logger, async (req, res) => {
      const { session_id: key } = parseWire(z.object({ session_id: z.string().min(1).max(255) }), bodyOf(req), 'the close request');
      let session: Session;
      try {
        session = manager.byKey(key);
      } catch (error) {
        // Closing twice is not an error (AgentGym's close answers closed: false the same way).
        if (hasCode(error, 'SESSION_CLOSED')) {
          res.json({ closed: false });
          return;
        }
        throw error;
      }
      await manager.close(session, 'closed', 'closed by the client');
      res.json({ closed: true });
    }),
  );

  return router;
};
