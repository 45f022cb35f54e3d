import { afterEach } from 'vitest';
import { startScriptedLlmServer, type ScriptedLlmOptions, type ScriptedLlmServer } from '../../fixtures/llm/scripted-llm-server.js';

/** Starts scripted LLM servers for a test file's tests and closes each after its test. */
export const useLlmServers = (): ((options?: ScriptedLlmOptions) => Promise<ScriptedLlmServer>) => {
  const servers: ScriptedLlmServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return async (options = {}) => {
    const server = await startScriptedLlmServer(options);
    servers.push(server);
    return server;
  };
};
