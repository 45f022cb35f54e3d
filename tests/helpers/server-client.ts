import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket, type ClientOptions } from 'ws';
import { createWebShopProfile } from '../../adapters/webshop/webshop-profile.js';
import { startEnvServer, type EnvServerOptions, type RunningEnvServer } from '../../src/server/env-server.js';
import { createRunId, openRunDirectory, type RunDirectory } from '../../src/store/index.js';
import { createDreamFactory, createToyWebShopModel, DREAM_TASKS } from './server-dream.js';

export interface WsReply {
  type: string;
  data: Record<string, unknown> & {
    observation?: Record<string, unknown>;
    reward?: number | null;
    done?: boolean;
    metadata?: Record<string, unknown>;
    code?: string;
    message?: string;
  };
}

/**
 * A WebSocket client as a trainer's would be: one reply per message, in order. `request` sends
 * an object (or a raw string) and resolves with the next reply; `closed` resolves on close.
 */
export class WsClient {
  private readonly waiting: Array<(reply: WsReply) => void> = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const next = this.waiting.shift();
      next?.(JSON.parse(data.toString()) as WsReply);
    });
    this.closed = new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static connect(url: string, options: ClientOptions = {}): Promise<WsClient> {
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`, options);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new WsClient(socket)));
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
  }

  request(message: unknown): Promise<WsReply> {
    return new Promise((resolve, reject) => {
      if (this.socket.readyState !== WebSocket.OPEN) {
        reject(new Error(`the connection is not open (readyState ${this.socket.readyState})`));
        return;
      }
      this.waiting.push(resolve);
      this.socket.send(typeof message === 'string' ? message : JSON.stringify(message), (error) => error && reject(error));
    });
  }

  reset(data: Record<string, unknown> = {}): Promise<WsReply> {
    return this.request({ type: 'reset', data });
  }

  step(action: string, thought?: string): Promise<WsReply> {
    return this.request({ type: 'step', data: thought === undefined ? { action_str: action } : { action_str: action, thought } });
  }

  state(): Promise<WsReply> {
    return this.request({ type: 'state' });
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ type: 'close' }));
    await this.closed;
  }
}

export interface TestServer {
  server: RunningEnvServer;
  runDir: RunDirectory;
  runId: string;
  dir: string;
  model: ReturnType<typeof createToyWebShopModel>;
  stop(): Promise<void>;
}

/** A server over the toy dream WebShop (plus whatever `options` adds), its run directory in a temp dir. */
export const startDreamServer = async (options: Partial<EnvServerOptions> & { modelDelayMs?: number; maxSteps?: number } = {}): Promise<TestServer> => {
  const dir = await mkdtemp(join(tmpdir(), 'dreambridge-server-'));
  const runDir = await openRunDirectory(dir);
  const runId = createRunId();
  const { modelDelayMs, maxSteps, ...rest } = options;
  const model = createToyWebShopModel(modelDelayMs === undefined ? {} : { delayMs: modelDelayMs });
  const server = await startEnvServer({
    envName: 'webshop',
    dream: { factory: createDreamFactory(model, maxSteps === undefined ? {} : { maxSteps }), tasks: () => DREAM_TASKS },
    profile: createWebShopProfile(),
    runDir,
    runId,
    ...rest,
  }).catch(async (error: unknown) => {
    await runDir.close();
    await rm(dir, { recursive: true, force: true });
    throw error;
  });
  return {
    server,
    runDir,
    runId,
    dir,
    model,
    stop: async () => {
      await server.close();
      await runDir.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
};

/** JSON over fetch: status, body and headers. */
export const http = async (url: string, init: { method?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: unknown; headers: Headers }> => {
  const hasBody = init.raw !== undefined || init.body !== undefined;
  const response = await fetch(url, {
    method: init.method ?? (hasBody ? 'POST' : 'GET'),
    headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...init.headers },
    ...(hasBody ? { body: init.raw ?? JSON.stringify(init.body) } : {}),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body, headers: response.headers };
};
