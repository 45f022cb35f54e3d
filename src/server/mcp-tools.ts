import { z } from 'zod';
import { jsonSchema } from './openapi.js';
import { optionalOrNull, wireActionSchema, wireResetSchema } from './wire-schemas.js';

const sessionId = z.string().min(1).max(255);

/** Arguments of the MCP tools (the session may also be named by params.session_id or a header). */
export const mcpStepArgumentsSchema = wireActionSchema.extend({
  session_id: optionalOrNull(sessionId).describe('The session the reset tool answered'),
  timeout_s: optionalOrNull(z.number().positive().max(3_600)).describe('Deadline of this step, seconds'),
});
export const mcpSessionArgumentsSchema = z.strictObject({ session_id: optionalOrNull(sessionId).describe('The session the reset tool answered') });

export interface McpTool {
  name: 'reset' | 'step' | 'state' | 'close';
  description: string;
  inputSchema: Record<string, unknown>;
}

/** The tools `tools/list` answers: the environment's own reset, step, state and close. */
export const mcpTools = (resetSchema: typeof wireResetSchema = wireResetSchema): McpTool[] => [
  {
    name: 'reset',
    description: 'Start an episode: opens a session (or resets the one named by session_id) and answers {observation, reward, done}; observation.session_id names the session for the other tools',
    inputSchema: jsonSchema(resetSchema),
  },
  {
    name: 'step',
    description: "Act in the session's episode with an action in the site's grammar (action_str, e.g. search[red shoes] or click[Buy Now]); answers {observation, reward, done}",
    inputSchema: jsonSchema(mcpStepArgumentsSchema),
  },
  { name: 'state', description: "The session's state: episode_id, step_count, task_id, mode, source, done, cum_reward and the real-interaction budget", inputSchema: jsonSchema(mcpSessionArgumentsSchema) },
  { name: 'close', description: 'Close the session and free its browser context', inputSchema: jsonSchema(mcpSessionArgumentsSchema) },
];

/**
 * A tools/call result: MCP's CallToolResult (the JSON as text content and as structuredContent)
 * plus `data`, where OpenEnv's MCP client reads a tool's value.
 */
export const toolResult = (value: Record<string, unknown>): Record<string, unknown> => ({
  content: [{ type: 'text', text: JSON.stringify(value) }],
  structuredContent: value,
  isError: false,
  data: value,
});
