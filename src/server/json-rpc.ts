import { z } from 'zod';

/** JSON-RPC 2.0's error codes (the ones OpenEnv's /mcp answers). */
export const JSON_RPC = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  SERVER_ERROR: -32000,
} as const;

export type JsonRpcId = string | number | null;

/** A request as JSON-RPC 2.0 (and OpenEnv's JsonRpcRequest) defines it: no other keys, params an object. */
export const jsonRpcRequestSchema = z.strictObject({
  jsonrpc: z.literal('2.0'),
  method: z.string(),
  params: z.record(z.string(), z.unknown()).optional(),
  // Absent: a notification (no answer). null is allowed by JSON-RPC, though discouraged.
  id: z.union([z.string(), z.number(), z.null()]).optional(),
});

export type JsonRpcRequest = z.infer<typeof jsonRpcRequestSchema>;

export interface JsonRpcError {
  code: number;
  message: string;
  data?: unknown;
}

/** A response: `result` or `error`, never both, and always `id` (null when the request's is unknown). */
export type JsonRpcResponse = { jsonrpc: '2.0'; id: JsonRpcId; result: unknown } | { jsonrpc: '2.0'; id: JsonRpcId; error: JsonRpcError };

export const rpcResult = (id: JsonRpcId, result: unknown): JsonRpcResponse => ({ jsonrpc: '2.0', id, result });

export const rpcError = (id: JsonRpcId, code: number, message: string, data?: unknown): JsonRpcResponse => ({
  jsonrpc: '2.0',
  id,
  error: data === undefined ? { code, message } : { code, message, data },
});

/** The id of a value that may be a request, so an invalid request is still answered under its id. */
const idOf = (value: unknown): JsonRpcId => {
  const id = (value as { id?: unknown } | null)?.id;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
};

/**
 * Reads one JSON-RPC request from a body's text: the request, or the error response to send
 * (parse error, invalid request). Batches are refused: MCP's current revision has none.
 */
export const parseJsonRpc = (text: string): { request: JsonRpcRequest } | { response: JsonRpcResponse } => {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { response: rpcError(null, JSON_RPC.PARSE_ERROR, `Parse error: ${(error as Error).message}`) };
  }
  if (Array.isArray(value)) return { response: rpcError(null, JSON_RPC.INVALID_REQUEST, 'Invalid Request: batches are not supported; send one request per POST') };
  const parsed = jsonRpcRequestSchema.safeParse(value);
  if (!parsed.success) {
    const summary = parsed.error.issues.slice(0, 3).map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
    return { response: rpcError(idOf(value), JSON_RPC.INVALID_REQUEST, `Invalid Request: ${summary}`) };
  }
  return { request: parsed.data };
};
