import { chromium, type BrowserServer } from 'playwright-core';
import { requireChromiumExecutable } from '../../adapters/browser/executable.js';
import { defaultChromiumArgs } from '../../adapters/browser/launch.js';

/** A Playwright browser server (Debian's Chromium) that a test can kill and bring back on the same endpoint. */
export interface TestBrowserServer {
  /** `ws://127.0.0.1:PORT/PATH`, the same after `restart()`. */
  readonly endpoint: string;
  /** Kills the browser (SIGKILL) and with it the endpoint: its connections drop, new ones are refused. */
  kill(): Promise<void>;
  /** Starts a new browser server on the same port and path. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

const launch = (port?: number, wsPath?: string): Promise<BrowserServer> =>
  chromium.launchServer({ executablePath: requireChromiumExecutable(), args: [...defaultChromiumArgs], ...(port === undefined ? {} : { port }), ...(wsPath === undefined ? {} : { wsPath }) });

export const startBrowserServer = async (): Promise<TestBrowserServer> => {
  let server: BrowserServer | undefined = await launch();
  const endpoint = server.wsEndpoint();
  const url = new URL(endpoint);
  const port = Number(url.port);
  const wsPath = url.pathname;
  return {
    endpoint,
    kill: async () => {
      const dying = server;
      server = undefined;
      await dying?.kill();
    },
    restart: async () => {
      server = await launch(port, wsPath);
      if (server.wsEndpoint() !== endpoint) throw new Error(`browser server came back on ${server.wsEndpoint()}, not ${endpoint}`);
    },
    close: async () => {
      const last = server;
      server = undefined;
      await last?.close();
    },
  };
};

/** Starts `n` browser servers; close them with `Promise.all(servers.map((s) => s.close()))`. */
export const startBrowserServers = (n: number): Promise<TestBrowserServer[]> => Promise.all(Array.from({ length: n }, () => startBrowserServer()));
