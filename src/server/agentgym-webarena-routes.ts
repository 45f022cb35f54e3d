import { Router, type Request } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { hasCode } from '../env/code-of.js';
import type { Task } from '../protocol/index.js';
import { agentGymWebArenaPrompt, describePreviousAction, firstFencedAction } from './agentgym-webarena-prompt.js';
import { handler } from './openenv-routes.js';
import { parseWire } from './parse-wire.js';
import type { Session } from './session.js';
import type { SessionManager } from './session-manager.js';
import { MAX_THOUGHT_CHARS } from './wire-schemas.js';
import { mountAgentGymEnvRoutes } from './agentgym-env-routes.js';
import { agentGymBodyOf, agentGymEnvIdxSchema, agentGymModeSchema, agentGymQuerySchema, agentGymStepSchema } from './agentgym-wire.js';

export interface AgentGymWebArenaRoutesOptions {
  manager: SessionManager;
  /** Mode of environments whose create names none. */
  defaultMode: 'real' | 'dream';
  /** A task by id (for the `sites` a reset answers), when the server knows it. */
  taskOf: (taskId: string) => Task | undefined;
  logger: Logger;
}

// agentenv-webarena's client sends {seed: 0, idx}; idx is the task config's id.
const resetSchema = z.object({ env_idx: agentGymEnvIdxSchema, seed: z.number().int().nonnegative().nullish(), idx: z.union([z.number().int().nonnegative(), z.string().min(1).max(255)]).nullish(), mode: agentGymModeSchema });

/**
 * AgentGym's WebArena environment-server routes with agentenv-webarena's shapes, so its
 * `WebarenaEnvClient(env_server_base="http://host:port/agentgym")` works unchanged:
 * `POST /create` → `{"env_idx"}`, `POST /reset {env_idx, seed, idx}` → `{observation, sites,
 * object}`, `POST /step {env_idx, action}` (the model's whole turn; the first ```-fenced block is
 * the action) → `{observation, reward, terminated, truncated, info}` with the observation as
 * WebArena's prompt text, `GET /observation`, `GET /observation_metadata`, `POST /close` →
 * `{"closed": "closed"}`, `GET /list_envs`, `GET /`.
 */
export const agentGymWebArenaRoutes = (options: AgentGymWebArenaRoutesOptions): Router => {
  const { manager, logger } = options;
  const router = Router();
  const session = (idx: string | number): Session => manager.byId(Number(idx), 'agentgym');
  const fromQuery = (req: Request): Session => session(parseWire(agentGymQuerySchema, req.query, 'the query').env_idx);
  // What WebArena's history says of each environment's last action (none before the first step).
  const previous = new WeakMap<Session, string>();
  const prompt = (target: Session): string => {
    const observation = target.observation();
    return agentGymWebArenaPrompt({ tree: observation.text, url: observation.url ?? '', objective: observation.instruction, previousAction: previous.get(target) ?? 'None' });
  };

  // As agentenv-webarena: /create answers {env_idx}; /close {closed: "closed"}, or what went wrong (200).
  mountAgentGymEnvRoutes(router, {
    manager,
    defaultMode: options.defaultMode,
    logger,
    replies: {
      created: (id) => ({ env_idx: id }),
      closed: (idx, error) => ({ closed: error === undefined ? 'closed' : `Close Env ${idx} Error: ${error instanceof Error ? error.message : String(error)}` }),
    },
  });
  router.post(
    '/reset',
    handler(logger, async (req, res) => {
      const body = parseWire(resetSchema, agentGymBodyOf(req), 'the reset request');
      const target = session(body.env_idx);
      try {
        const reply = await target.reset({
          ...(body.idx === null || body.idx === undefined ? {} : { task_id: body.idx }),
          ...(body.seed === null || body.seed === undefined || (body.idx !== null && body.idx !== undefined) ? {} : { seed: body.seed }),
          ...(body.mode === undefined ? {} : { mode: body.mode }),
        });
        previous.delete(target);
        const task = options.taskOf((await target.state()).task_id ?? '');
        const sites = task?.config?.['sites'];
        res.json({ observation: reply.observation.text, sites: Array.isArray(sites) ? sites : [], object: reply.observation.instruction });
      } catch (error) {
        // agentenv-webarena answers a reset that timed out this way; its client raises TimeoutError on it.
        if (!hasCode(error, 'STEP_TIMEOUT', 'EPISODE_TIMEOUT')) throw error;
        logger.warn({ env_idx: body.env_idx }, 'AgentGym WebArena reset timed out');
        res.json({ observation: 'TimeoutError', sites: 'Error', object: 'Error', message: error instanceof Error ? error.message : String(error) });
      }
    }),
  );
  router.post(
    '/step',
    handler(logger, async (req, res) => {
      const body = parseWire(agentGymStepSchema, agentGymBodyOf(req), 'the step request');
      const target = session(body.env_idx);
      const before = target.observation().text;
      // The fenced action is what the site acts on and the run directory records; the turn is its thought.
      const action = firstFencedAction(body.action) ?? body.action;
      const reply = await target.step({ action_str: action, thought: body.action.slice(0, MAX_THOUGHT_CHARS) });
      previous.set(target, describePreviousAction(body.action, before, reply.observation.last_action_error ?? null));
      res.json({
        observation: prompt(target),
        reward: reply.reward ?? 0,
        terminated: reply.done && !reply.truncated,
        truncated: reply.truncated,
        info: { url: reply.observation.url ?? null, fail_error: reply.observation.last_action_error ?? '', episode_id: reply.episode_id, step_count: reply.step_count, source: reply.observation.source, ...(reply.info ?? {}) },
      });
    }),
  );
  router.get(
    '/observation',
    handler(logger, (req, res) => {
      res.json(prompt(fromQuery(req)));
    }),
  );
  router.get(
    '/observation_metadata',
    handler(logger, (req, res) => {
      const observation = fromQuery(req).observation();
      // WebArena's text metadata is keyed by element id; this server knows each element's tree line.
      const nodes = Object.fromEntries(
        observation.text
          .split('\n')
          .map((line) => line.replace(/^\t+/, ''))
          .map((line) => [/^\[([^\]]+)\] /.exec(line)?.[1], line] as const)
          .filter((entry): entry is readonly [string, string] => entry[0] !== undefined)
          .map(([id, line]) => [id, { text: line }]),
      );
      res.json({ text: { obs_nodes_info: nodes }, image: {} });
    }),
  );
  return router;
};
