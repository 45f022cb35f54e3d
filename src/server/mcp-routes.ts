import express, { Router, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { hasCode } from '../env/code-of.js';
import { EnvNotResetError } from '../env/errors.js';
import { resetHttpSession } from './http-session-reset.js';
import { JSON_RPC, parseJsonRpc, rpcError, rpcResult, type JsonRpcRequest, type JsonRpcResponse } from './json-rpc.js';
import { mcpSessionArgumentsSchema, mcpStepArgumentsSchema, mcpTools, toolResult } from './mcp-tools.js';
import { openEnvPayload } from './openenv-payload.js';
import { parseWire } from './parse-wire.js';
import type { SessionManager } from './session-manager.js';
import { toWireError } from './wire-error.js';
import { wireResetSchema } from './wire-schemas.js';

/** MCP revisions this endpoint speaks (newest first); `initialize` answers the client's when it is one. */
export const MCP_PROTOCOL_VERSIONS = ['2025-06-18', '2025-03-26', '2024-11-05'] as const;

export interface McpRoutesOptions {
  manager: SessionManager;
  serverInfo: { name: string; version: string };
  /** The site's reset schema (wireResetSchemaFor its profile's task ids). Default: the generic one. */
  resetSchema?: typeof wireResetSchema;
  /** Largest body, bytes (413 past it, as every route). */
  maxBodyBytes: number;
  logger: Logger;
}

const objectOr = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
const stringOr = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);

/** A failed tool call as a JSON-RPC error: bad arguments are invalid params, the rest server errors carrying our code. */
const failure = (id: JsonRpcRequest['id'], error: unknown): JsonRpcResponse => {
  const wire = toWireError(error);
  const data = { code: wire.code, ...(wire.error_code ? { error_code: wire.error_code } : {}), ...(wire.errors ? { errors: wire.errors } : {}), ...(wire.details ? { details: wire.details } : {}) };
  return rpcError(id ?? null, wire.code === 'VALIDATION_ERROR' ? JSON_RPC.INVALID_PARAMS : JSON_RPC.SERVER_ERROR, wire.message, data);
};

/**
 * `POST /mcp`: MCP over JSON-RPC 2.0 (streamable HTTP, JSON answers), as OpenEnv's HTTP servers
 * expose it and `openenv validate` probes it. The environment's own reset, step, state and close
 * are the tools; a session is named by `params.session_id` (OpenEnv's client), the tool's
 * `session_id` argument, or the `Mcp-Session-Id` / `X-Session-Id` header. OpenEnv's session
 * methods (`openenv/session/create`, `openenv/session/close`) work too. Every answer is HTTP 200
 * with a JSON-RPC body (errors included, as OpenEnv answers them); notifications get 202.
 */
export const mcpRoutes = (options: McpRoutesOptions): Router => {
  const { manager } = options;
  const router = Router();

  const callTool = async (request: JsonRpcRequest, req: Request): Promise<JsonRpcResponse> => {
    const id = request.id ?? null;
    const params = request.params ?? {};
    const name = stringOr(params['name']);
    if (name === undefined) return rpcError(id, JSON_RPC.INVALID_PARAMS, "Invalid params: 'name' (the tool) is required");
    const args = objectOr(params['arguments']);
    const key = stringOr(params['session_id']) ?? stringOr(args['session_id']) ?? req.get('mcp-session-id') ?? req.get('x-session-id');
    const sessionOf = () => {
      if (key === undefined) throw new EnvNotResetError(`the ${name} tool needs the session_id that the reset tool answered (in params.session_id or the arguments)`);
      return manager.byKey(key);
    };
    try {
      switch (name) {
        case 'reset': {
          const { payload } = await resetHttpSession(manager, parseWire(options.resetSchema ?? wireResetSchema, args, 'the reset arguments'), key);
          return rpcResult(id, toolResult({ ...payload }));
        }
        case 'step': {
          const { action_str, thought, timeout_s } = parseWire(mcpStepArgumentsSchema, args, 'the step arguments');
          const session = sessionOf();
          const reply = await session.step(thought === undefined ? { action_str } : { action_str, thought }, timeout_s === undefined ? undefined : Math.round(timeout_s * 1000));
          return rpcResult(id, toolResult({ ...openEnvPayload(reply, session.key) }));
        }
        case 'state':
          parseWire(mcpSessionArgumentsSchema, args, 'the state arguments');
          return rpcResult(id, toolResult({ ...(await sessionOf().state()) }));
        case 'close': {
          parseWire(mcpSessionArgumentsSchema, args, 'the close arguments');
          let closed = true;
          try {
            await manager.close(sessionOf(), 'closed', 'closed by the client');
          } catch (error) {
            if (!hasCode(error, 'SESSION_CLOSED')) throw error;
            closed = false;
          }
          return rpcResult(id, toolResult({ session_id: key ?? null, closed }));
        }
        default:
          return rpcError(id, JSON_RPC.INVALID_PARAMS, `Tool not found: ${name.slice(0, 100)} (the tools are reset, step, state and close)`);
      }
    } catch (error) {
      return failure(id, error);
    }
  };

  const answer = async (request: JsonRpcRequest, req: Request): Promise<JsonRpcResponse> => {
    const id = request.id ?? null;
    const params = request.params ?? {};
    switch (request.method) {
      case 'initialize': {
        const asked = stringOr(params['protocolVersion']);
        const protocolVersion = MCP_PROTOCOL_VERSIONS.find((v) => v === asked) ?? MCP_PROTOCOL_VERSIONS[0];
        return rpcResult(id, {
          protocolVersion,
          capabilities: { tools: { listChanged: false } },
          serverInfo: options.serverInfo,
          instructions: 'Call reset (it answers observation.session_id), then step with action_str in the site\'s grammar until done; close frees the session.',
        });
      }
      case 'ping':
        return rpcResult(id, {});
      case 'tools/list':
        return rpcResult(id, { tools: mcpTools(options.resetSchema) });
      case 'tools/call':
        return callTool(request, req);
      case 'openenv/session/create':
        try {
          return rpcResult(id, { session_id: manager.create('http').key });
        } catch (error) {
          return failure(id, error);
        }
      case 'openenv/session/close': {
        const target = stringOr(params['session_id']);
        if (target === undefined) return rpcError(id, JSON_RPC.INVALID_PARAMS, "Invalid params: 'session_id' is required");
        try {
          await manager.close(manager.byKey(target), 'closed', 'closed by the client');
          return rpcResult(id, { session_id: target, closed: true });
        } catch (error) {
          return hasCode(error, 'SESSION_CLOSED', 'SESSION_NOT_FOUND') ? rpcError(id, JSON_RPC.INVALID_PARAMS, `Unknown session_id: ${target.slice(0, 100)}`) : failure(id, error);
        }
      }
      default:
        return rpcError(id, JSON_RPC.METHOD_NOT_FOUND, `Method not found: ${request.method.slice(0, 100)}`);
    }
  };

  router.post('/', express.text({ type: () => true, limit: options.maxBodyBytes }), async (req: Request, res: Response) => {
    const parsed = parseJsonRpc(typeof req.body === 'string' ? req.body : '');
    if ('response' in parsed) {
      res.json(parsed.response);
      return;
    }
    const { request } = parsed;
    // A notification (no id) gets no answer: MCP's streamable HTTP acknowledges it with 202.
    if (request.id === undefined) {
      res.status(202).end();
      return;
    }
    try {
      res.json(await answer(request, req));
    } catch (error) {
      options.logger.error({ err: error, method: request.method }, 'MCP request failed');
      res.json(rpcError(request.id, JSON_RPC.INTERNAL_ERROR, 'Internal error'));
    }
  });
  // No server-sent event stream: MCP's streamable HTTP allows answering GET with 405.
  router.get('/', (_req, res) => {
    res.status(405).setHeader('Allow', 'POST').json({ detail: 'Method Not Allowed', message: 'POST JSON-RPC requests to /mcp' });
  });
  return router;
};
