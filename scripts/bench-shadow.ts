import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWebShopEnvFactory } from '../adapters/webshop/webshop-env-factory.js';
import { createWebShopProfile } from '../adapters/webshop/webshop-profile.js';
import { startLlmServerProcess } from '../fixtures/llm/llm-server-process.js';
import { createHeuristicWebShopPolicy } from '../adapters/webshop/webshop-heuristic-policy.js';
import { runEpisodes, type RealStepNotice } from '../harness/runner.js';
import { createShadower } from '../harness/shadow/index.js';
import { createDreamSetup } from '../src/dream/dream-setup.js';
import { openRunDirectory } from '../src/store/index.js';
import { startFixtureProcess } from './bench-webshop-adapter.js';

export interface ShadowOverheadReport {
  episodes: number;
  realConcurrency: number;
  k: number;
  latencyMs: number;
  plainMs: number;
  shadowedMs: number;
  /** shadowed / plain − 1. */
  overhead: number;
  shadowLines: number;
}

/**
 * Wall time of a real run at real concurrency 4 with and without `--shadow K` against the test
 * LLM server in its own process answering after 200 ms (the shadow run includes waiting for the
 * last predictions). Runs alternate plain/shadowed to cancel drift; medians are compared.
 */
export const benchShadowOverhead = async (options: { episodes?: number; k?: number; latencyMs?: number; rounds?: number } = {}): Promise<ShadowOverheadReport> => {
  const episodes = options.episodes ?? 24;
  const k = options.k ?? 4;
  const latencyMs = options.latencyMs ?? 200;
  const realConcurrency = 4;
  const dir = await mkdtemp(join(tmpdir(), 'dreambridge-bench-shadow-'));
  const site = await startFixtureProcess();
  const llm = await startLlmServerProcess({ latencyMs, preset: 'webshop-experience' });
  try {
    const profile = createWebShopProfile();
    const factory = await createWebShopEnvFactory({ baseUrl: site.url, maxSteps: 15, realConcurrency });
    const setup = await createDreamSetup({ env: 'webshop', profile, buffers: [], model: 'openai:scripted', modelBaseUrl: llm.url, modelConcurrency: 64 });
    const tasks = profile.tasks('train').slice(0, episodes);
    const once = async (name: string, shadow: boolean): Promise<{ ms: number; lines: number }> => {
      const runDir = await openRunDirectory(join(dir, name));
      const shadower = shadow ? createShadower({ model: setup.model, profile, k, write: (line) => runDir.appendShadow(line) }) : undefined;
      const started = performance.now();
      await runEpisodes({
        envFactory: factory,
        policy: () => createHeuristicWebShopPolicy(),
        tasks,
        concurrency: realConcurrency,
        runDir,
        runId: name,
        envName: 'webshop',
        ...(shadower
          ? {
              onRealStep: (n: RealStepNotice) =>
                shadower.shadow({ runId: n.runId, episodeId: n.episodeId, taskId: n.task.task_id, step: n.step, request: { task: n.task, instruction: n.state.instruction, history: n.history, state: n.state, action: n.action }, real: n.real }),
            }
          : {}),
      });
      await shadower?.flush();
      const ms = performance.now() - started;
      await runDir.close();
      return { ms, lines: shadower?.stats.lines ?? 0 };
    };
    await once('warm', true);
    const plain: number[] = [];
    const shadowed: number[] = [];
    let lines = 0;
    for (let round = 0; round < (options.rounds ?? 5); round += 1) {
      const order = round % 2 === 0 ? [false, true] : [true, false];
      for (const shadow of order) {
        const result = await once(`${shadow ? 'shadow' : 'plain'}-${round}`, shadow);
        (shadow ? shadowed : plain).push(result.ms);
        if (shadow) lines = result.lines;
      }
    }
    await setup.close();
    await factory.close();
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
    return { episodes, realConcurrency, k, latencyMs, plainMs: median(plain), shadowedMs: median(shadowed), overhead: median(shadowed) / median(plain) - 1, shadowLines: lines };
  } finally {
    await llm.close();
    site.child.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
};
