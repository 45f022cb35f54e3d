import { z } from 'zod';
import { openEnvObservationSchemaFor } from './openenv-observation.js';
import { httpStepSchema, wireActionSchema, wireResetSchema, wireStateSchema } from './wire-schemas.js';

/** JSON Schema of a zod schema without the `$schema` key (OpenAPI 3.1 components embed them). */
export const jsonSchema = (schema: z.ZodType): Record<string, unknown> => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

/** GET /schema: the action, observation and state JSON Schemas, generated from the zod schemas. */
export const schemaDocument = (availableActions: z.ZodType<Record<string, unknown>>): { action: Record<string, unknown>; observation: Record<string, unknown>; state: Record<string, unknown> } => ({
  action: jsonSchema(wireActionSchema),
  observation: jsonSchema(openEnvObservationSchemaFor(availableActions)),
  state: jsonSchema(wireStateSchema),
});

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown, description: string) => ({ description, content: { 'application/json': { schema } } });
const errors = {
  '401': json(ref('Error'), 'Missing or wrong bearer token'),
  '403': json(ref('Error'), 'Origin or Host not allowed'),
  '409': json(ref('Error'), 'REAL_BUDGET_EXHAUSTED, DREAM_NOT_CONFIGURED, SESSION_CLOSED or ENV_NOT_RESET'),
  '413': json(ref('Error'), 'Request body too large'),
  '422': json(ref('Error'), 'VALIDATION_ERROR: the message does not match its schema'),
  '503': json(ref('Error'), 'CAPACITY_REACHED (retry later) or FACTORY_ERROR'),
};
const responseModel = (description: string) => ({
  type: 'object',
  description,
  properties: { observation: ref('Observation'), reward: { type: ['number', 'null'] }, done: { type: 'boolean' } },
  required: ['observation', 'reward', 'done'],
  additionalProperties: false,
});
const envIdx = [{ name: 'env_idx', in: 'query', required: true, schema: { type: 'integer', minimum: 0 } }];
const agentGymGet = (summary: string, schema: unknown) => ({ get: { tags: ['AgentGym'], summary, parameters: envIdx, responses: { '200': json(schema, 'OK'), ...errors } } });
const agentGymPost = (summary: string, body: unknown, schema: unknown) => ({
  post: { tags: ['AgentGym'], summary, requestBody: { content: { 'application/json': { schema: body } } }, responses: { '200': json(schema, 'OK'), ...errors } },
});

/** GET /openapi.json: what `openenv validate` reads (info.version: the OpenEnv API version; /reset, /step, /state). */
export const openApiDocument = (options: { version: string; title: string; description: string; availableActions: z.ZodType<Record<string, unknown>>; resetSchema?: typeof wireResetSchema }): Record<string, unknown> => ({
  openapi: '3.1.0',
  info: { title: options.title, version: options.version, description: options.description },
  paths: {
    '/health': { get: { tags: ['Health'], summary: 'Health check', responses: { '200': json({ type: 'object', properties: { status: { const: 'healthy' } } }, 'Healthy') } } },
    '/metadata': { get: { tags: ['Environment Info'], summary: 'Environment metadata', responses: { '200': json(ref('Metadata'), 'Metadata') } } },
    '/schema': { get: { tags: ['Schema'], summary: 'Action, observation and state JSON Schemas', responses: { '200': json(ref('Schemas'), 'Schemas') } } },
    '/reset': {
      post: {
        tags: ['Environment Control'],
        summary: 'Start an episode (opens an HTTP session, or resets the one named by session_id)',
        requestBody: { content: { 'application/json': { schema: ref('ResetRequest') } } },
        responses: { '200': json(ref('ResetResponse'), 'First observation; observation.session_id names the session'), ...errors },
      },
    },
    '/step': {
      post: {
        tags: ['Environment Control'],
        summary: 'Act in an HTTP session (session_id in the body or the X-Session-Id header)',
        requestBody: { required: true, content: { 'application/json': { schema: ref('StepRequest') } } },
        responses: { '200': json(ref('StepResponse'), 'Next observation'), ...errors },
      },
    },
    '/state': {
      get: {
        tags: ['State Management'],
        summary: 'State of an HTTP session (session_id query or X-Session-Id header; a blank state without one)',
        parameters: [{ name: 'session_id', in: 'query', required: false, schema: { type: 'string' } }],
        responses: { '200': json(ref('State'), 'State'), ...errors },
      },
    },
    '/close': {
      post: {
        tags: ['Environment Control'],
        summary: 'Close an HTTP session and free its browser context',
        requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { session_id: { type: 'string' } }, required: ['session_id'] } } } },
        responses: { '200': json({ type: 'object', properties: { closed: { type: 'boolean' } } }, 'Closed'), ...errors },
      },
    },
    '/mcp': {
      post: {
        tags: ['MCP'],
        summary: 'MCP over JSON-RPC 2.0: initialize, tools/list, tools/call (reset, step, state, close), openenv/session/create|close',
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', properties: { jsonrpc: { const: '2.0' }, method: { type: 'string' }, params: { type: 'object' }, id: { type: ['string', 'integer', 'null'] } }, required: ['jsonrpc', 'method'] } } } },
        responses: { '200': json({ type: 'object', properties: { jsonrpc: { const: '2.0' }, id: {}, result: {}, error: { type: 'object' } }, required: ['jsonrpc', 'id'] }, 'JSON-RPC response (errors too)'), '202': { description: 'Notification accepted' } },
      },
    },
    '/agentgym/create': agentGymPost('Create an environment (real unless mode is "dream")', { type: 'object', properties: { mode: { enum: ['real', 'dream'] } } }, { type: 'integer' }),
    '/agentgym/reset': agentGymPost(
      'Reset to goal session_id (random when null)',
      { type: 'object', properties: { env_idx: { type: 'integer' }, session_id: { type: ['integer', 'null'] }, mode: { enum: ['real', 'dream'] } }, required: ['env_idx'] },
      { type: 'array', prefixItems: [{ type: 'string' }, { type: 'null' }] },
    ),
    '/agentgym/step': agentGymPost(
      'Act',
      { type: 'object', properties: { env_idx: { type: 'integer' }, action: { type: 'string' } }, required: ['env_idx', 'action'] },
      { type: 'object', properties: { state: { type: 'string' }, reward: { type: 'number' }, done: { type: 'boolean' }, info: { type: 'null' } } },
    ),
    '/agentgym/observation': agentGymGet('Current observation text', { type: 'string' }),
    '/agentgym/available_actions': agentGymGet('Available actions', ref('AvailableActions')),
    '/agentgym/instruction_text': agentGymGet('Instruction text', { type: 'string' }),
    '/agentgym/state': agentGymGet('url, html and instruction_text', { type: 'object', properties: { url: { type: 'string' }, html: { type: 'string' }, instruction_text: { type: 'string' } } }),
    '/agentgym/close': agentGymPost('Close an environment', { type: 'object', properties: { env_idx: { type: 'integer' } }, required: ['env_idx'] }, { type: 'object', properties: { closed: { type: 'boolean' } } }),
    '/agentgym/list_envs': { get: { tags: ['AgentGym'], summary: 'Open environment ids', responses: { '200': json({ type: 'array', items: { type: 'integer' } }, 'Ids') } } },
  },
  components: {
    schemas: {
      Action: jsonSchema(wireActionSchema),
      Observation: jsonSchema(openEnvObservationSchemaFor(options.availableActions)),
      State: jsonSchema(wireStateSchema),
      ResetRequest: jsonSchema(options.resetSchema ?? wireResetSchema),
      StepRequest: { ...jsonSchema(httpStepSchema), properties: { ...(jsonSchema(httpStepSchema)['properties'] as object), action: ref('Action') } },
      // OpenEnv's ResetResponse and StepResponse forbid other keys: what a trainer needs is in the observation.
      ResetResponse: responseModel('Initial observation; reward is null'),
      StepResponse: responseModel('Observation after the action'),
      AvailableActions: (jsonSchema(openEnvObservationSchemaFor(options.availableActions))['properties'] as Record<string, unknown>)['available_actions'],
      Metadata: {
        type: 'object',
        properties: Object.fromEntries(['name', 'description', 'version', 'readme_content', 'author', 'documentation_url'].map((k) => [k, { type: k === 'name' || k === 'description' ? 'string' : ['string', 'null'] }])),
        required: ['name', 'description'],
        additionalProperties: false,
      },
      Schemas: { type: 'object', properties: { action: { type: 'object' }, observation: { type: 'object' }, state: { type: 'object' } }, required: ['action', 'observation', 'state'] },
      Error: {
        type: 'object',
        properties: { code: { type: 'string' }, message: { type: 'string' }, error_code: { type: 'string' }, errors: { type: 'array' }, detail: {} },
        required: ['code', 'message'],
      },
    },
  },
});
