import type { Router } from 'express';
import type { Logger } from 'pino';
import { hasCode } from '../env/code-of.js';
import { handler } from './openenv-routes.js';
import { parseWire } from './parse-wire.js';
import type { Session } from './session.js';
import type { SessionManager } from './session-manager.js';
import { agentGymBodyOf, agentGymCloseSchema, agentGymCreateSchema } from './agentgym-wire.js';

/** What differs between AgentGym's WebShop and WebArena servers in an environment's life cycle: the reply shapes. */
export interface AgentGymEnvReplies {
  /** The reply to `/create` (WebShop: the bare id; WebArena: `{env_idx}`). */
  created: (id: number) => unknown;
  /** The reply to `/close`: of a closed environment, or of one that could not be closed (`error`). */
  closed: (envIdx: string | number, error?: unknown) => unknown;
}

/**
 * The routes both AgentGym dialects share, on `router`: `GET /`, `GET /list_envs`, `POST /create`
 * (a body is optional: AgentGym's client sends none) and `POST /close` (an unknown or closed
 * environment is answered, not an error, as AgentGym's servers do).
 */
export const mountAgentGymEnvRoutes = (router: Router, options: { manager: SessionManager; defaultMode: 'real' | 'dream'; logger: Logger; replies: AgentGymEnvReplies }): void => {
  const { manager, logger, replies } = options;
  router.get('/', (_req, res) => {
    res.json('ok');
  });
  router.get('/list_envs', (_req, res) => {
    res.json(manager.list('agentgym').map((s) => s.id));
  });
  router.post(
    '/create',
    handler(logger, (req, res) => {
      const { mode } = parseWire(agentGymCreateSchema, agentGymBodyOf(req) ?? {}, 'the create request');
      const created = manager.create('agentgym');
      created.preferredMode = mode ?? options.defaultMode;
      res.json(replies.created(created.id));
    }),
  );
  router.post(
    '/close',
    handler(logger, async (req, res) => {
      const { env_idx } = parseWire(agentGymCloseSchema, agentGymBodyOf(req), 'the close request');
      let target: Session;
      try {
        target = manager.byId(Number(env_idx), 'agentgym');
      } catch (error) {
        if (hasCode(error, 'SESSION_CLOSED', 'SESSION_NOT_FOUND')) {
          res.json(replies.closed(env_idx, error));
          return;
        }
        throw error;
      }
      await manager.close(target, 'closed', 'closed by the client');
      res.json(replies.closed(env_idx));
    }),
  );
};
