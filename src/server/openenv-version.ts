/**
 * The OpenEnv HTTP API version this server implements, answered as `info.version` of
 * /openapi.json: OpenEnv's own servers declare 1.0.0 there, and `openenv validate` reads a 1.x
 * version as the `openenv-http/1.x` profile it checks against.
 */
export const OPENENV_API_VERSION = '1.0.0';
