/**
 * Full-size load and soak of the environment server, the server in its own process (so its memory
 * is its own), the local WebShop in another (as a deployed site). The server is what
 * `dreambridge serve --url SITE --buffer SEEDS` builds (`runServe`, the CLI's own wiring): Chromium
 * for real sessions, the embedded retrieval model over a small recorded buffer for dream sessions,
 * the co-evolving buffer and the ledger-free budget path (`npm test` runs the same checks sized
 * down: tests/server-load.test.ts).
 *  - load: 32 dream + 4 real WS sessions for 2 minutes: zero protocol errors, p50/p99 per step;
 *  - trainers: 128 dream + 8 real WS sessions for 2 minutes (verl-agent's WebShop batch), through
 *    the token URL /t/<token> as clients without headers use it: zero protocol errors;
 *  - soak: 5,000 short dream episodes opened and closed and 500 sessions abandoned without close
 *    (dropped connections, AgentGym envs and HTTP sessions left to the reaper), plus real ones:
 *    server RSS after the soak within 50 MB of its value after warm-up, no browser context left.
 * Usage: tsx scripts/stress-server.ts [load|trainers|soak]   (or import stressServerLoad / stressServerSoak)
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runServe } from '../cli/serve-run.js';
import { DREAM_TASKS, toyTransitionLines } from '../tests/helpers/server-dream.js';
import { runLoad, runSoak, type LoadReport, type SoakReport } from '../tests/helpers/server-load.js';

const REAL_TASKS = [1500, 1501, 1502, 1503, 1504, 1505, 1506, 1507];
const DREAM_IDS = DREAM_TASKS.map((t) => t.task_id);

interface ChildStats {
  rssMb: number;
  sessions: number;
  openContexts: number;
  reaped: number;
  connections: number;
  /** Dream envs the dream factory still holds (closed ones must leave it). */
  dreamEnvs: number;
  /** Transitions in the co-evolving replay buffer. */
  buffer: number;
}

/** The server process: started on demand, asked for its stats over stdin. */
interface ServerProcess {
  url: string;
  stats(gc?: boolean): Promise<ChildStats>;
  stop(): Promise<void>;
}

/** The local WebShop in a process of its own, as a deployed site would be (its CPU is not the server's). */
const startSiteProcess = async (): Promise<{ url: string; stop(): void }> => {
  const cli = fileURLToPath(new URL('../bin/dreambridge.js', import.meta.url));
  const site = spawn(process.execPath, [cli, 'fixture', 'webshop', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, DREAMBRIDGE_LOG_LEVEL: 'warn' } });
  const url = await new Promise<string>((resolve, reject) => {
    site.once('exit', (code) => reject(new Error(`the WebShop fixture exited with ${code}`)));
    createInterface({ input: site.stdout }).on('line', (line) => {
      const match = /listening on (http:\/\/\S+)/.exec(line);
      if (match?.[1]) resolve(match[1]);
    });
  });
  return { url, stop: () => void site.kill('SIGTERM') };
};

const startServerProcess = async (idleTimeoutMs: number, token?: string): Promise<ServerProcess> => {
  const script = fileURLToPath(import.meta.url);
  const site = await startSiteProcess();
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', script, '--child', String(idleTimeoutMs), site.url, ...(token ? [token] : [])], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, DREAMBRIDGE_LOG_LEVEL: 'warn' },
  });
  child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
  const lines = createInterface({ input: child.stdout });
  const waiting: Array<(line: string) => void> = [];
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
    lines.on('line', (line) => {
      const match = /listening on (http:\/\/\S+)/.exec(line);
      if (match?.[1]) resolve(match[1]);
      else waiting.shift()?.(line);
    });
  });
  return {
    url,
    stats: (gc = false) =>
      new Promise((resolve) => {
        waiting.push((line) => resolve(JSON.parse(line) as ChildStats));
        child.stdin.write(gc ? 'gc\n' : 'stats\n');
      }),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => {
          site.stop();
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
};

/** Child mode: `runServe` over the WebShop at `siteUrl` and a recorded toy buffer, stats on demand. */
const serveChild = async (idleTimeoutMs: number, siteUrl: string, token?: string): Promise<void> => {
  const dir = await mkdtemp(join(tmpdir(), 'dreambridge-stress-server-'));
  const seeds = join(dir, 'seeds.jsonl');
  await writeFile(seeds, DREAM_TASKS.map(toyTransitionLines).join(''));
  const served = await runServe(
    {
      env: 'webshop', url: siteUrl, mode: 'both', model: 'retrieval', buffer: [seeds], port: 0, host: '127.0.0.1', maxSessions: 1024, maxRealSessions: 8,
      ...(token ? { token } : {}),
      onBudgetExhausted: 'stop', idleTimeout: idleTimeoutMs / 1000, stepTimeout: 30_000, warmContexts: 2, out: join(dir, 'run'),
      seed: 0, split: 'train', observation: 'text',
    },
    { handleSignals: false },
  );
  const stats = (): ChildStats => ({
    rssMb: process.memoryUsage().rss / 2 ** 20,
    sessions: served.server.manager.size,
    openContexts: served.real?.openContexts?.() ?? 0,
    reaped: served.server.manager.reapedCount,
    connections: served.server.connections(),
    dreamEnvs: served.dream?.openEnvs ?? 0,
    buffer: served.dream?.buffer.size ?? 0,
  });
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line === 'gc') globalThis.gc?.();
    console.log(JSON.stringify(stats()));
  });
  const stop = async (): Promise<void> => {
    await served.close();
    await rm(dir, { recursive: true, force: true });
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
};

export interface ServerLoadOptions {
  /** Default 32. */
  dreamSessions?: number;
  /** Default 4. */
  realSessions?: number;
  /** Default 120000 (2 min). */
  durationMs?: number;
}

/** Concurrent dream and real WS sessions against a served process for a while; passes with zero protocol errors. */
const loadServed = async (options: ServerLoadOptions, defaults: { dreamSessions: number; realSessions: number }, token?: string): Promise<LoadReport & { passed: boolean }> => {
  const server = await startServerProcess(300_000, token);
  try {
    const report = await runLoad({
      url: token === undefined ? server.url : `${server.url}/t/${encodeURIComponent(token)}`,
      dreamSessions: options.dreamSessions ?? defaults.dreamSessions,
      realSessions: options.realSessions ?? defaults.realSessions,
      durationMs: options.durationMs ?? 120_000,
      dreamTasks: DREAM_IDS,
      realTasks: REAL_TASKS,
    });
    return { ...report, passed: report.protocolErrors === 0 };
  } finally {
    await server.stop();
  }
};

/** 32 dream + 4 real concurrent WS sessions for 2 minutes; passes with zero protocol errors. */
export const stressServerLoad = (options: ServerLoadOptions = {}): Promise<LoadReport & { passed: boolean }> => loadServed(options, { dreamSessions: 32, realSessions: 4 });

/** 128 dream + 8 real concurrent WS sessions for 2 minutes through the token URL; zero protocol errors. */
export const stressServerTrainers = (options: ServerLoadOptions = {}): Promise<LoadReport & { passed: boolean }> =>
  loadServed(options, { dreamSessions: 128, realSessions: 8 }, `stress-${process.pid}-token`);

export interface ServerSoakOptions {
  /** Short dream episodes opened and closed. Default 5000. */
  episodes?: number;
  /** Sessions abandoned without close. Default 500. */
  abandoned?: number;
  /** Real episodes (and a tenth as many abandoned) alongside, for the context-leak check. Default 200. */
  realEpisodes?: number;
  /** Allowed RSS growth after warm-up, MB. Default 50. */
  maxGrowthMb?: number;
}

export interface ServerSoakReport {
  dream: SoakReport;
  real: SoakReport;
  rssWarmMb: number;
  rssAfterMb: number;
  after: ChildStats;
  passed: boolean;
}

/** 5,000 episodes + 500 abandoned (and real ones): RSS flat within 50 MB, nothing left open. */
export const stressServerSoak = async (options: ServerSoakOptions = {}): Promise<ServerSoakReport> => {
  const server = await startServerProcess(2_000);
  try {
    let rssWarmMb = 0;
    const realEpisodes = options.realEpisodes ?? 200;
    const [dream, real] = await Promise.all([
      runSoak({ url: server.url, episodes: options.episodes ?? 5_000, abandoned: options.abandoned ?? 500, tasks: DREAM_IDS, onWarm: async () => void (rssWarmMb = (await server.stats(true)).rssMb) }),
      runSoak({ url: server.url, episodes: realEpisodes, abandoned: Math.ceil(realEpisodes / 10), concurrency: 2, mode: 'real', tasks: REAL_TASKS, warmup: 1 }),
    ]);
    // Abandoned sessions go when the reaper finds them idle.
    let after = await server.stats(true);
    for (let i = 0; i < 60 && (after.sessions > 0 || after.openContexts > 0); i += 1) {
      await new Promise((r) => setTimeout(r, 500));
      after = await server.stats(true);
    }
    const passed =
      dream.failures === 0 && real.failures === 0 && after.sessions === 0 && after.openContexts === 0 && after.dreamEnvs === 0 && after.rssMb - rssWarmMb <= (options.maxGrowthMb ?? 50);
    return { dream, real, rssWarmMb, rssAfterMb: after.rssMb, after, passed };
  } finally {
    await server.stop();
  }
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv[2] === '--child') {
    await serveChild(Number(process.argv[3] ?? 300_000), process.argv[4] ?? 'http://127.0.0.1:3000', process.argv[5]);
  } else {
    const which = process.argv[2];
    let ok = true;
    if (which === undefined || which === 'load') {
      const load = await stressServerLoad();
      ok &&= load.passed;
      console.log(
        `server load: ${load.sessions} sessions (32 dream + 4 real), ${(load.durationMs / 1000).toFixed(0)} s, ${load.requests} requests, ${load.episodes} episodes, ` +
          `${load.protocolErrors} protocol errors; dream step p50 ${load.dream.p50.toFixed(2)} ms p99 ${load.dream.p99.toFixed(2)} ms; ` +
          `real step p50 ${load.real.p50.toFixed(0)} ms p99 ${load.real.p99.toFixed(0)} ms; reset p50 ${load.resets.p50.toFixed(1)} ms p99 ${load.resets.p99.toFixed(0)} ms`,
      );
      for (const example of load.examples) console.error(`  ${example}`);
    }
    if (which === undefined || which === 'trainers') {
      const load = await stressServerTrainers();
      ok &&= load.passed;
      console.log(
        `server trainers load: ${load.sessions} sessions (128 dream + 8 real, token URL), ${(load.durationMs / 1000).toFixed(0)} s, ${load.requests} requests, ${load.episodes} episodes, ` +
          `${load.protocolErrors} protocol errors; dream step p50 ${load.dream.p50.toFixed(2)} ms p99 ${load.dream.p99.toFixed(2)} ms; ` +
          `real step p50 ${load.real.p50.toFixed(0)} ms p99 ${load.real.p99.toFixed(0)} ms; reset p50 ${load.resets.p50.toFixed(1)} ms p99 ${load.resets.p99.toFixed(0)} ms`,
      );
      for (const example of load.examples) console.error(`  ${example}`);
    }
    if (which === undefined || which === 'soak') {
      const soak = await stressServerSoak();
      ok &&= soak.passed;
      console.log(
        `server soak: ${soak.dream.episodes} dream + ${soak.real.episodes} real episodes, ${soak.dream.abandoned + soak.real.abandoned} abandoned, ` +
          `${(soak.dream.durationMs / 1000).toFixed(0)} s; RSS ${soak.rssWarmMb.toFixed(0)} → ${soak.rssAfterMb.toFixed(0)} MB after warm-up; ` +
          `${soak.after.sessions} sessions, ${soak.after.openContexts} browser contexts and ${soak.after.dreamEnvs} dream envs left open, ${soak.after.reaped} reaped, ` +
          `buffer ${soak.after.buffer} transitions, ${soak.dream.failures + soak.real.failures} failures`,
      );
      for (const example of [...soak.dream.examples, ...soak.real.examples]) console.error(`  ${example}`);
    }
    console.log(ok ? 'server stress: passed' : 'server stress: FAILED');
    process.exit(ok ? 0 : 1);
  }
}
