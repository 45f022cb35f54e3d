import { http, WsClient, type WsReply } from './server-client.js';

/** Percentile of samples (nearest rank), NaN when empty. */
export const percentile = (samples: readonly number[], p: number): number => {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
};

interface Observed {
  text?: string;
  instruction?: string;
  page_type?: string;
  available_actions?: { has_search_bar?: boolean; clickables?: string[] };
}

/**
 * A policy any WebShop page accepts (real or dreamed): search the instruction's first words,
 * open the first product, buy; elsewhere click the first clickable, or go back to search.
 */
export const nextAction = (o: Observed): string => {
  const clickables = o.available_actions?.clickables ?? [];
  if (o.available_actions?.has_search_bar) return `search[${(o.instruction ?? 'item').replace(/^find me /i, '').split(/,| with /)[0]!.slice(0, 40)}]`;
  if (o.page_type === 'results') return `click[${clickables.find((c) => /^b0/i.test(c)) ?? 'back to search'}]`;
  if (clickables.includes('buy now')) return 'click[buy now]';
  return clickables.includes('back to search') ? 'click[back to search]' : `click[${clickables[0] ?? 'back to search'}]`;
};

export interface LoadOptions {
  url: string;
  dreamSessions: number;
  realSessions: number;
  durationMs: number;
  /** Steps per episode at most (then a new reset). Default 3. */
  stepsPerEpisode?: number;
  /** Task ids resets take in turn, per mode. */
  dreamTasks: readonly (string | number)[];
  realTasks: readonly (string | number)[];
}

export interface LoadReport {
  sessions: number;
  durationMs: number;
  episodes: number;
  requests: number;
  /** Replies of type error, or not the expected shape (must be 0). */
  protocolErrors: number;
  examples: string[];
  dream: { steps: number; p50: number; p99: number };
  real: { steps: number; p50: number; p99: number };
  resets: { count: number; p50: number; p99: number };
}

const isObservation = (reply: WsReply, source: 'real' | 'dream'): boolean =>
  reply.type === 'observation' && reply.data.observation?.['source'] === source && typeof reply.data.observation['text'] === 'string' && typeof reply.data.done === 'boolean';

/** Concurrent WS sessions playing short episodes until the deadline; latency per step and reset. */
export const runLoad = async (options: LoadOptions): Promise<LoadReport> => {
  const deadline = Date.now() + options.durationMs;
  const latency = { dream: [] as number[], real: [] as number[], reset: [] as number[] };
  let episodes = 0;
  let requests = 0;
  let protocolErrors = 0;
  const examples: string[] = [];
  const fail = (what: string, reply: WsReply): void => {
    protocolErrors += 1;
    if (examples.length < 5) examples.push(`${what}: ${JSON.stringify(reply).slice(0, 300)}`);
  };
  const session = async (mode: 'real' | 'dream', index: number): Promise<void> => {
    const tasks = mode === 'real' ? options.realTasks : options.dreamTasks;
    const client = await WsClient.connect(options.url);
    let turn = index;
    while (Date.now() < deadline) {
      let started = performance.now();
      const reset = await client.reset({ task_id: tasks[turn++ % tasks.length], mode });
      latency.reset.push(performance.now() - started);
      requests += 1;
      if (!isObservation(reset, mode)) {
        fail(`${mode} reset`, reset);
        continue;
      }
      let observation = reset.data.observation as Observed;
      for (let step = 0; step < (options.stepsPerEpisode ?? 3) && Date.now() < deadline; step += 1) {
        started = performance.now();
        const reply = await client.step(nextAction(observation));
        latency[mode].push(performance.now() - started);
        requests += 1;
        if (!isObservation(reply, mode)) {
          fail(`${mode} step`, reply);
          break;
        }
        observation = reply.data.observation as Observed;
        if (reply.data.done) break;
      }
      episodes += 1;
    }
    await client.close();
  };
  const started = performance.now();
  await Promise.all([
    ...Array.from({ length: options.dreamSessions }, (_, i) => session('dream', i)),
    ...Array.from({ length: options.realSessions }, (_, i) => session('real', i)),
  ]);
  const summary = (samples: number[]) => ({ steps: samples.length, p50: percentile(samples, 50), p99: percentile(samples, 99) });
  return {
    sessions: options.dreamSessions + options.realSessions,
    durationMs: performance.now() - started,
    episodes,
    requests,
    protocolErrors,
    examples,
    dream: summary(latency.dream),
    real: summary(latency.real),
    resets: { count: latency.reset.length, p50: percentile(latency.reset, 50), p99: percentile(latency.reset, 99) },
  };
};

export interface SoakOptions {
  url: string;
  /** Short episodes opened and closed properly. */
  episodes: number;
  /** Sessions abandoned without close: dropped WS connections, AgentGym envs and HTTP sessions never closed. */
  abandoned: number;
  /** Episodes in flight at once. Default 8. */
  concurrency?: number;
  /** Mode of the episodes ('real' ones need a live site). Default dream. */
  mode?: 'real' | 'dream';
  tasks: readonly (string | number)[];
  /** Called once after the first `warmup` episodes (e.g. to read the server's RSS). */
  onWarm?: () => void | Promise<void>;
  warmup?: number;
}

export interface SoakReport {
  episodes: number;
  abandoned: number;
  failures: number;
  examples: string[];
  durationMs: number;
}

/** Many short episodes, each on its own connection, plus abandoned sessions of every kind. */
export const runSoak = async (options: SoakOptions): Promise<SoakReport> => {
  const mode = options.mode ?? 'dream';
  let failures = 0;
  const examples: string[] = [];
  const fail = (what: string): void => {
    failures += 1;
    if (examples.length < 5) examples.push(what);
  };
  const episode = async (i: number): Promise<void> => {
    const client = await WsClient.connect(options.url);
    const reset = await client.reset({ task_id: options.tasks[i % options.tasks.length], mode });
    if (reset.type !== 'observation') fail(`reset: ${JSON.stringify(reset).slice(0, 200)}`);
    else {
      const step = await client.step(nextAction(reset.data.observation as Observed));
      if (step.type !== 'observation') fail(`step: ${JSON.stringify(step).slice(0, 200)}`);
    }
    await client.close();
  };
  const abandon = async (i: number): Promise<void> => {
    const task = options.tasks[i % options.tasks.length];
    if (i % 3 === 0) {
      const client = await WsClient.connect(options.url);
      await client.reset({ task_id: task, mode });
      client.socket.terminate();
    } else if (i % 3 === 1) {
      const idx = (await http(`${options.url}/agentgym/create`, { body: { mode } })).body as number;
      const reset = await http(`${options.url}/agentgym/reset`, { body: { env_idx: idx, session_id: Number(task) } });
      if (reset.status !== 200) fail(`abandoned AgentGym reset: ${reset.status} ${JSON.stringify(reset.body).slice(0, 200)}`);
    } else {
      const reset = await http(`${options.url}/reset`, { body: { task_id: task, mode } });
      if (reset.status !== 200) fail(`abandoned HTTP reset: ${reset.status} ${JSON.stringify(reset.body).slice(0, 200)}`);
    }
  };
  const started = performance.now();
  const concurrency = options.concurrency ?? 8;
  const warmup = options.warmup ?? Math.min(options.episodes, Math.ceil(options.episodes / 10));
  let next = 0;
  let abandonedNext = 0;
  let warmed = false;
  const worker = async (): Promise<void> => {
    while (next < options.episodes) {
      const i = next++;
      await episode(i).catch((error: unknown) => fail(`episode ${i}: ${(error as Error).message}`));
      // Abandoned sessions are spread over the run, not bunched at the end.
      if (abandonedNext < options.abandoned && i % Math.max(1, Math.floor(options.episodes / options.abandoned)) === 0) {
        const j = abandonedNext++;
        await abandon(j).catch((error: unknown) => fail(`abandon ${j}: ${(error as Error).message}`));
      }
      if (!warmed && i + 1 >= warmup) {
        warmed = true;
        await options.onWarm?.();
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  while (abandonedNext < options.abandoned) await abandon(abandonedNext++).catch((error: unknown) => fail(`abandon: ${(error as Error).message}`));
  return { episodes: options.episodes, abandoned: options.abandoned, failures, examples, durationMs: performance.now() - started };
};
