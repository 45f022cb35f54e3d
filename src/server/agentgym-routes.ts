import { Router, type Request } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { handler } from './openenv-routes.js';
import { parseWire } from './parse-wire.js';
import type { Session } from './session.js';
import type { SessionManager } from './session-manager.js';
import { mountAgentGymEnvRoutes } from './agentgym-env-routes.js';
import { agentGymBodyOf, agentGymEnvIdxSchema, agentGymModeSchema, agentGymQuerySchema, agentGymStepSchema } from './agentgym-wire.js';

export interface AgentGymRoutesOptions {
  manager: SessionManager;
  /** How the site's text environment shows an instruction (`SiteProfile.instructionText`). */
  instructionText: (instruction: string) => string;
  /** Mode of AgentGym sessions that name none: real when the server offers it. */
  defaultMode: 'real' | 'dream';
  logger: Logger;
}

const resetSchema = z.object({ env_idx: agentGymEnvIdxSchema, session_id: z.union([z.number().int().nonnegative(), z.null()]).optional(), mode: agentGymModeSchema });

/**
 * AgentGym's environment-server routes with AgentGym's shapes (agentenv-webshop's server.py), so
 * its clients work with base URL `http://host:port/agentgym`. Unlike AgentGym's own WebShop
 * server, environments close (`/close`, freeing their browser context) and idle ones are reaped,
 * and a full server answers 503 CAPACITY_REACHED (AgentGym's client retries 503s) instead of
 * leaking or hanging.
 */
export const agentGymRoutes = (options: AgentGymRoutesOptions): Router => {
  const { manager, logger } = options;
  const router = Router();
  const session = (idx: string | number): Session => manager.byId(Number(idx), 'agentgym');
  const fromQuery = (req: Request): Session => session(parseWire(agentGymQuerySchema, req.query, 'the query').env_idx);
  const { instructionText } = options;

  // As AgentGym's WebShop server: /create answers the bare id, /close {closed: true|false}.
  mountAgentGymEnvRoutes(router, { manager, defaultMode: options.defaultMode, logger, replies: { created: (id) => id, closed: (_idx, error) => ({ closed: error === undefined }) } });
  router.post(
    '/reset',
    handler(logger, async (req, res) => {
      const body = parseWire(resetSchema, agentGymBodyOf(req), 'the reset request');
      const reply = await session(body.env_idx).reset({
        ...(body.session_id === null || body.session_id === undefined ? {} : { task_id: body.session_id }),
        ...(body.mode === undefined ? {} : { mode: body.mode }),
      });
      res.json([reply.observation.text, null]);
    }),
  );
  router.post(
    '/step',
    handler(logger, async (req, res) => {
      const body = parseWire(agentGymStepSchema, agentGymBodyOf(req), 'the step request');
      const reply = await session(body.env_idx).step({ action_str: body.action });
      res.json({ state: reply.observation.text, reward: reply.reward ?? 0, done: reply.done, info: null });
    }),
  );
  router.get(
    '/observation',
    handler(logger, (req, res) => {
      res.json(fromQuery(req).observation().text);
    }),
  );
  router.get(
    '/available_actions',
    handler(logger, (req, res) => {
      res.json(fromQuery(req).observation().available_actions);
    }),
  );
  router.get(
    '/instruction_text',
    handler(logger, (req, res) => {
      res.json(instructionText(fromQuery(req).observation().instruction));
    }),
  );
  router.get(
    '/state',
    handler(logger, (req, res) => {
      const observation = fromQuery(req).observation();
      // The text state is what this server has: no page HTML (dreams have none).
      res.json({ url: observation.url ?? '', html: '', instruction_text: instructionText(observation.instruction) });
    }),
  );
  return router;
};
