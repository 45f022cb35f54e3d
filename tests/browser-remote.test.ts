import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { requireChromiumExecutable } from '../adapters/browser/executable.js';
import { defaultChromiumArgs } from '../adapters/browser/launch.js';
import { createWebShopEnvFactory } from '../adapters/webshop/webshop-env-factory.js';
import type { BrowserSource } from '../adapters/browser/browser-provider.js';
import { createHeuristicWebShopPolicy } from '../adapters/webshop/webshop-heuristic-policy.js';
import { runEpisodes } from '../harness/runner.js';
import { openRunDirectory } from '../src/store/index.js';
import { useWebShopBridge } from './helpers/webshop-bridge.js';

const bridge = useWebShopBridge();

/** One episode through a factory whose browser comes from `source`. */
const playOne = async (source: BrowserSource): Promise<string> => {
  const factory = await createWebShopEnvFactory({ baseUrl: bridge.fixture.url, browser: source });
  const env = await factory.create();
  try {
    await env.reset({ task_id: '1500', env: 'webshop' });
    const step = await env.step('search[lamp]');
    expect(step.observation.page_type).toBe('results');
    return factory.provider.version();
  } finally {
    await env.close();
    await factory.close();
  }
};

describe('remote browsers', () => {
  it('connects to a Playwright browser server over WebSocket', async () => {
    const server = await chromium.launchServer({ executablePath: requireChromiumExecutable(), args: [...defaultChromiumArgs] });
    try {
      expect(await playOne({ kind: 'ws', wsEndpoint: server.wsEndpoint() })).toMatch(/chromium/);
    } finally {
      await server.close();
    }
  });

  it('connects to a Chromium over CDP', async () => {
    const child = spawn(requireChromiumExecutable(), ['--headless', '--remote-debugging-port=0', `--user-data-dir=${mkdtempSync(join(tmpdir(), 'dreambridge-cdp-'))}`, ...defaultChromiumArgs, 'about:blank']);
    try {
      const endpoint = await new Promise<string>((resolve, reject) => {
        let err = '';
        child.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          const match = /DevTools listening on (ws:\/\/\S+)/.exec(err);
          if (match?.[1]) resolve(match[1]);
        });
        child.on('exit', (code) => reject(new Error(`chromium exited with ${code}: ${err}`)));
      });
      expect(await playOne({ kind: 'cdp', cdpEndpoint: endpoint })).toMatch(/chromium/);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('an unreachable browser endpoint is a clear error naming it', async () => {
    const factory = await createWebShopEnvFactory({ baseUrl: bridge.fixture.url, browser: { kind: 'ws', wsEndpoint: 'ws://127.0.0.1:9/nothing', timeoutMs: 3000 } });
    try {
      await expect(factory.create().then((env) => env.reset({ task_id: '1500', env: 'webshop' }))).rejects.toMatchObject({
        code: 'BROWSER_LAUNCH_FAILED',
        message: expect.stringContaining('ws://127.0.0.1:9/nothing'),
      });
    } finally {
      await factory.close();
    }
  });
});

describe('a browser crash in the middle of a run', () => {
  it('the remaining episodes run on a relaunched browser', async () => {
    const factory = await createWebShopEnvFactory({ baseUrl: bridge.fixture.url });
    const runDir = await openRunDirectory(mkdtempSync(join(tmpdir(), 'dreambridge-crash-')));
    let crashed = false;
    try {
      const tasks = Array.from({ length: 6 }, (_, i) => ({ task_id: String(1500 + i), env: 'webshop' as const }));
      const summary = await runEpisodes({
        envFactory: factory,
        policy: () => createHeuristicWebShopPolicy(),
        tasks,
        runDir,
        runId: 'run-crash',
        envName: 'webshop',
        onEvent: (event) => {
          // Crash the browser during the third episode's first step.
          if (!crashed && event.type === 'step' && event.taskId === '1502') {
            crashed = true;
            void factory.provider.version().then(async () => {
              const context = await factory.provider.newContext();
              await context.browser()?.close();
            });
          }
        },
      });
      const episodes = await runDir.readEpisodes();
      expect(episodes).toHaveLength(6);
      expect(summary.episodes).toBe(6);
      // Episodes after the crash finished normally on a new browser.
      expect(episodes.filter((e) => Number(e.task_id) >= 1503).every((e) => e.termination === 'done')).toBe(true);
      expect(factory.provider.launches).toBeGreaterThanOrEqual(2);
    } finally {
      await runDir.close();
      await factory.close();
    }
  });
});
