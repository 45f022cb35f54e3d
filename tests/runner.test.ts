import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createReplayPolicy } from '../harness/policies/index.js';
import { createHeuristicWebShopPolicy } from '../adapters/webshop/webshop-heuristic-policy.js';
import { runEpisodes, type RunEpisodesOptions, type RunEvent } from '../harness/runner.js';
import { ConfigInvalidError, RealBudgetExhaustedError, StepTimeoutError } from '../src/env/errors.js';
import type { Env, EnvFactory, TimeoutOptions } from '../src/env/index.js';
import { transitionSchema, type Observation, type Source, type StepResult, type Task } from '../src/protocol/index.js';
import { openRunDirectory, type RunDirectory } from '../src/store/index.js';

// A small deterministic in-memory WebShop over scripted texts in the real "simple" format: a test
// double for the runner's own logic (real-browser integration tests live elsewhere).

interface Product { asin: string; title: string; price: string; options: Record<string, string[]> }
const PRODUCTS: Product[] = [
  { asin: 'B0IIW3RF5N', title: 'Orchidia Shimmer Nail Polish with Base Coat, High Quality High Shine Nail Polish for Beginners', price: '$17.95 to $22.99', options: { color: ['coral'] } },
  { asin: 'B09RS95QIQ', title: 'Orchidia Shimmer Nail Polish, Vegan High Quality Nail Polish for Home Manicure', price: '$13.95', options: { color: ['ballet pink', 'nude beige'], size: ['6 count', '12 count'] } },
  { asin: 'B0B7H593T6', title: "Hartwell Straight Leg Men's Jeans with Belt Loops for Everyday Wear", price: '$61.49', options: { color: ['dark wash', 'stonewash'], size: ['34w x 32l', '36w x 32l'] } },
  { asin: 'B0EZ89VFHI', title: 'Verdana Botanics Tangle Free Clip in Hair Extensions for Daily Wear', price: '$93.95', options: { color: ['medium brown'], size: ['14 inch'] } },
  { asin: 'B0LAMP0001', title: 'Brightwell Desk Lamp with Warm Light', price: '$25.0', options: {} },
];
interface Goal { instruction: string; asin: string; options: Record<string, string> }
const GOALS: Record<string, Goal> = {
  '1501': { instruction: 'Find me vegan nail polish for home manicure with color: nude beige, and size: 6 count, and price lower than 50.00 dollars', asin: 'B09RS95QIQ', options: { color: 'nude beige', size: '6 count' } },
  '1502': { instruction: 'Find me tangle free hair extensions for daily wear with color: medium brown, and size: 14 inch, and price lower than 130.00 dollars', asin: 'B0EZ89VFHI', options: { color: 'medium brown', size: '14 inch' } },
  '1503': { instruction: "Find me straight leg men's jeans with belt loops for everyday wear with color: stonewash, and size: 36w x 32l, and price lower than 100.00 dollars", asin: 'B0B7H593T6', options: { color: 'stonewash', size: '36w x 32l' } },
  '1504': { instruction: 'Find me a desk lamp with warm light, and price lower than 40.00 dollars', asin: 'B0LAMP0001', options: {} },
  '1505': { instruction: 'Find me a zeppelin, and price lower than 40.00 dollars', asin: 'B0LAMP0001', options: {} },
};
/** Steps the heuristic policy needs for each goal. */
const HEURISTIC_STEPS: Record<string, number> = { '1501': 5, '1502': 5, '1503': 5, '1504': 3 };

const words = (text: string): string[] => text.toLowerCase().replace(/'/g, '').split(/[^a-z0-9]+/).filter(Boolean);

type Page =
  | { kind: 'search' }
  | { kind: 'results'; keywords: string[] }
  | { kind: 'item'; keywords: string[]; product: Product; chosen: Record<string, string> }
  | { kind: 'done'; reward: number };

interface ScriptOptions {
  source?: Source;
  maxSteps?: number;
  stepDelayMs?: number;
  /** Steps never settle and ignore the abort signal (a hung browser). */
  hang?: boolean;
  failStep?: Record<string, number>;
  failReset?: string[];
  failCreate?: number[];
  budget?: { remaining: number };
  /** Runs before each step with the task id and the step index. */
  beforeStep?: (taskId: string, step: number) => void;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    }, { once: true });
  });

class ScriptedWebShopFactory implements EnvFactory {
  readonly source: Source;
  created = 0;
  closed = 0;
  inFlight = 0;
  maxInFlight = 0;
  readonly timeouts: TimeoutOptions[] = [];
  constructor(readonly options: ScriptOptions = {}) {
    this.source = options.source ?? 'real';
  }
  async create(options?: TimeoutOptions): Promise<Env> {
    const attempt = this.created;
    this.created += 1;
    if (this.options.failCreate?.includes(attempt)) {
      this.closed += 1;
      throw new Error('browser context could not be created');
    }
    if (options) this.timeouts.push(options);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new ScriptedWebShopEnv(this);
  }
  async close(): Promise<void> {}
  released(): void {
    this.inFlight -= 1;
    this.closed += 1;
  }
}

class ScriptedWebShopEnv implements Env {
  readonly source: Source;
  private page: Page = { kind: 'search' };
  private goal: Goal | undefined;
  private taskId = '';
  private steps = 0;
  private isClosed = false;
  constructor(private readonly factory: ScriptedWebShopFactory) {
    this.source = factory.source;
  }

  async reset(task: Task, options?: TimeoutOptions): Promise<Observation> {
    await sleep(1, options?.signal);
    if (this.factory.options.failReset?.includes(task.task_id)) throw new Error(`reset of task ${task.task_id} failed`);
    const goal = GOALS[task.task_id];
    if (!goal) throw new ConfigInvalidError(`no goal ${task.task_id}`);
    this.goal = goal;
    this.taskId = task.task_id;
    this.page = { kind: 'search' };
    return this.observe();
  }

  async step(action: string, options?: TimeoutOptions): Promise<StepResult> {
    const { options: script } = this.factory;
    script.beforeStep?.(this.taskId, this.steps);
    if (script.hang) await new Promise(() => undefined);
    await sleep(script.stepDelayMs ?? 1, options?.signal);
    if (script.budget) {
      if (script.budget.remaining <= 0) throw new RealBudgetExhaustedError('the real-interaction budget of the test is spent');
      script.budget.remaining -= 1;
    }
    if (script.failStep?.[this.taskId] === this.steps) throw new StepTimeoutError(options?.timeoutMs ?? 0, action);
    this.steps += 1;
    const error = this.apply(action);
    const observation = error === undefined ? this.observe() : { ...this.observe(), last_action_error: `INVALID_ACTION: ${error}` };
    const done = this.page.kind === 'done';
    return {
      observation,
      reward: this.page.kind === 'done' ? this.page.reward : 0,
      done,
      truncated: !done && this.steps >= (script.maxSteps ?? 15),
      info: { latency_ms: 1, ...(error === undefined ? {} : { error }) },
    };
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    this.factory.released();
  }

  private results(keywords: string[]): Product[] {
    const score = (product: Product): number => words(product.title).filter((word) => keywords.includes(word)).length;
    return PRODUCTS.filter((product) => score(product) > 0).sort((a, b) => score(b) - score(a));
  }

  private clickables(): string[] {
    switch (this.page.kind) {
      case 'search': return ['search'];
      case 'results': return ['back to search', 'next >', ...this.results(this.page.keywords).map((product) => product.asin.toLowerCase())];
      case 'item': return ['back to search', '< prev', 'description', 'features', 'reviews', 'buy now', ...Object.values(this.page.product.options).flat()];
      case 'done': return [];
    }
  }

  /** Applies an action; returns why it is invalid, if it is. */
  private apply(action: string): string | undefined {
    const match = /^(search|click)\[(.+)\]$/.exec(action.trim());
    const page = this.page;
    if (!match) return `not an action: ${action}`;
    const [, name, arg] = match as unknown as [string, string, string];
    if (name === 'search') {
      if (page.kind !== 'search') return 'no search bar on this page';
      this.page = { kind: 'results', keywords: words(arg) };
      return undefined;
    }
    const target = arg.toLowerCase();
    if (!this.clickables().includes(target) || target === 'search') return `${target} is not clickable here`;
    if (target === 'back to search') this.page = { kind: 'search' };
    else if (page.kind === 'results') {
      const product = PRODUCTS.find((candidate) => candidate.asin.toLowerCase() === target);
      if (product) this.page = { kind: 'item', keywords: page.keywords, product, chosen: {} };
    } else if (page.kind === 'item') {
      if (target === '< prev') this.page = { kind: 'results', keywords: page.keywords };
      else if (target === 'buy now') {
        const goal = this.goal!;
        const right = page.product.asin === goal.asin && Object.entries(goal.options).every(([key, value]) => page.chosen[key] === value);
        this.page = { kind: 'done', reward: right ? 1 : page.product.asin === goal.asin ? 0.5 : 0 };
      } else {
        const group = Object.entries(page.product.options).find(([, values]) => values.includes(target));
        if (group) page.chosen[group[0]] = target;
      }
    }
    return undefined;
  }

  private observe(): Observation {
    const instruction = this.goal?.instruction ?? '';
    const head = `Instruction: [SEP] ${instruction} [SEP] Back to Search`;
    const page = this.page;
    let text: string;
    if (page.kind === 'search') text = `WebShop [SEP] Instruction: [SEP] ${instruction} [SEP] Search`;
    else if (page.kind === 'results') {
      const rows = this.results(page.keywords);
      text = [`${head} [SEP] Page 1 (Total results: ${rows.length}) [SEP] Next >`, ...rows.map((row) => `${row.asin} [SEP] ${row.title} [SEP] ${row.price}`)].join(' [SEP] ');
    } else if (page.kind === 'item') {
      const options = Object.entries(page.product.options).map(([name, values]) => [name, ...values].join(' [SEP] '));
      text = [`${head} [SEP] < Prev`, ...options, page.product.title, `Price: ${page.product.price}`, 'Rating: N.A. [SEP] Description [SEP] Features [SEP] Reviews [SEP] Buy Now'].join(' [SEP] ');
    } else text = `Thank you for shopping with us! [SEP] Your code: [SEP] 836F1D4B7B [SEP] Your score (min 0.0, max 1.0) [SEP] ${page.reward}`;
    return {
      text,
      instruction,
      url: `mem://webshop/${page.kind}/fixed_${this.taskId}`,
      page_type: page.kind,
      available_actions: { has_search_bar: page.kind === 'search', clickables: this.clickables() },
      source: this.source,
    };
  }
}

const tasks = (...ids: string[]): Task[] => ids.map((task_id) => ({ task_id, env: 'webshop', split: 'train' }));

let root: string;
let runDir: RunDirectory;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'dreambridge-runner-'));
  runDir = await openRunDirectory(join(root, 'run'));
});
afterEach(async () => {
  await runDir.close();
  await rm(root, { recursive: true, force: true });
});

const run = (factory: ScriptedWebShopFactory, ids: string[], extra: Partial<RunEpisodesOptions> = {}): ReturnType<typeof runEpisodes> =>
  runEpisodes({ envFactory: factory, policy: () => createHeuristicWebShopPolicy(), tasks: tasks(...ids), runDir, runId: 'run-20261122-061500-ab12', envName: 'webshop', ...extra });

describe('runEpisodes', () => {
  it('writes each transition before the next step starts, in order, and parseable', async () => {
    const linesBefore: Array<[string, number, number]> = [];
    const factory = new ScriptedWebShopFactory({
      beforeStep: (taskId, step) => {
        const lines = readFileSync(runDir.paths.transitions, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { task_id: string });
        linesBefore.push([taskId, step, lines.filter((line) => line.task_id === taskId).length]);
      },
    });
    const events: RunEvent[] = [];
    const summary = await run(factory, ['1501', '1502', '1503', '1504'], { onEvent: (event) => events.push(event), stepTimeoutMs: 5000 });

    expect(linesBefore.every(([, step, written]) => written === step)).toBe(true);
    const raw = (await readFile(runDir.paths.transitions, 'utf8')).trimEnd().split('\n');
    const lines = raw.map((line) => transitionSchema.parse(JSON.parse(line)));
    expect(lines.map((line) => `${line.task_id}:${line.step}`)).toEqual(
      ['1501', '1502', '1503', '1504'].flatMap((id) => Array.from({ length: HEURISTIC_STEPS[id]! }, (_, step) => `${id}:${step}`)),
    );
    expect(lines.slice(0, 5).map((line) => line.action)).toEqual([
      'search[vegan nail polish home manicure]', 'click[b09rs95qiq]', 'click[nude beige]', 'click[6 count]', 'click[buy now]',
    ]);
    for (let at = 1; at < lines.length; at += 1) {
      if (lines[at]!.episode_id === lines[at - 1]!.episode_id) expect(lines[at]!.state).toEqual(lines[at - 1]!.next_state);
    }
    expect(lines[0]).toMatchObject({ run_id: 'run-20261122-061500-ab12', episode_id: 'run-20261122-061500-ab12-1501-0', task_id: '1501', env: 'webshop', source: 'real', reward: 0, done: false });
    expect(lines[0]!.thought).toBeTypeOf('string');
    expect(lines[4]).toMatchObject({ reward: 1, done: true, truncated: false });

    const episodes = await runDir.readEpisodes();
    expect(episodes.map((episode) => [episode.episode_id, episode.termination, episode.success, episode.total_reward, episode.steps])).toEqual([
      ['run-20261122-061500-ab12-1501-0', 'done', true, 1, 5],
      ['run-20261122-061500-ab12-1502-1', 'done', true, 1, 5],
      ['run-20261122-061500-ab12-1503-2', 'done', true, 1, 5],
      ['run-20261122-061500-ab12-1504-3', 'done', true, 1, 3],
    ]);
    expect(episodes[0]!.source).toBe('real');
    expect(Date.parse(episodes[0]!.ended_at)).toBeGreaterThanOrEqual(Date.parse(episodes[0]!.started_at));
    expect(summary).toMatchObject({ episodes: 4, meanReward: 1, successRate: 1, steps: 18, realInteractions: 18, failedEpisodes: 0 });
    expect(summary.terminations).toEqual({ done: 4, max_steps: 0, early_stop: 0, error: 0, budget: 0, closed: 0, interrupted: 0 });
    expect(events.map((event) => event.type).slice(0, 7)).toEqual(['episode-start', 'step', 'step', 'step', 'step', 'step', 'episode-end']);
    expect(factory.timeouts[0]).toEqual({ timeoutMs: 5000 });
    expect(factory.closed).toBe(4);

    // A crash mid-write leaves a torn last line: reading ignores it.
    await appendFile(runDir.paths.transitions, raw[0]!.slice(0, 100));
    expect(await runDir.readTransitions()).toHaveLength(18);
  });

  it('records an episode whose env, reset, creation or policy fails as error and goes on', async () => {
    const factory = new ScriptedWebShopFactory({ failStep: { '1502': 1 }, failReset: ['1503'], failCreate: [3] });
    const summary = await run(factory, ['1501', '1502', '1503', '1504', '1501', '1504'], {
      policy: (task) => (task.task_id === '1504' ? createReplayPolicy({ actions: ['search[desk lamp]'] }) : createHeuristicWebShopPolicy()),
    });
    const episodes = await runDir.readEpisodes();
    expect(episodes.map((episode) => [episode.task_id, episode.termination, episode.error])).toEqual([
      ['1501', 'done', undefined],
      ['1502', 'error', 'STEP_TIMEOUT: click[b0ez89vfhi] did not finish within 30000 ms'],
      ['1503', 'error', 'reset of task 1503 failed'],
      ['1504', 'error', 'browser context could not be created'],
      ['1501', 'done', undefined],
      ['1504', 'error', 'REPLAY_EXHAUSTED: the replay policy has played all 1 of its actions'],
    ]);
    // The failed step was sent: it is logged as a transition with its error and counted.
    expect(episodes[1]!.steps).toBe(2);
    const failed = (await runDir.readTransitions()).filter((t) => t.episode_id === episodes[1]!.episode_id)[1]!;
    expect(failed.info.error).toBe('STEP_TIMEOUT: click[b0ez89vfhi] did not finish within 30000 ms');
    expect(failed.next_state.last_action_error).toBe(failed.info.error);
    expect(summary).toMatchObject({ episodes: 6, failedEpisodes: 4, steps: 5 + 2 + 5 + 1, realInteractions: 5 + 2 + 5 + 1 });
    expect(factory.inFlight).toBe(0);
  });

  it('runs K episodes at once and never more', async () => {
    const ids = ['1501', '1502', '1503', '1504', '1501', '1502', '1503'];
    const three = new ScriptedWebShopFactory({ stepDelayMs: 15 });
    const summary = await run(three, ids, { concurrency: 3 });
    expect(three.maxInFlight).toBe(3);
    expect(summary.episodes).toBe(7);
    expect(summary.successRate).toBe(1);
    expect(new Set((await runDir.readEpisodes()).map((episode) => episode.episode_id)).size).toBe(7);
    // Lines of concurrent episodes interleave but each episode's steps stay in order.
    const byEpisode = new Map<string, number[]>();
    for (const line of await runDir.readTransitions()) byEpisode.set(line.episode_id, [...(byEpisode.get(line.episode_id) ?? []), line.step]);
    for (const steps of byEpisode.values()) expect(steps).toEqual(steps.map((_, at) => at));

    const one = new ScriptedWebShopFactory({ stepDelayMs: 5 });
    await run(one, ids.slice(0, 3));
    expect(one.maxInFlight).toBe(1);
    const many = new ScriptedWebShopFactory({ stepDelayMs: 5 });
    await run(many, ids.slice(0, 2), { concurrency: 8 });
    expect(many.maxInFlight).toBe(2);
    await expect(run(many, ids, { concurrency: 0 })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('on abort records the episodes in flight as interrupted and starts no new one', async () => {
    const controller = new AbortController();
    const factory = new ScriptedWebShopFactory({ stepDelayMs: 20 });
    const events: RunEvent[] = [];
    const summary = await run(factory, ['1501', '1502', '1503', '1504', '1501', '1502'], {
      concurrency: 2,
      signal: controller.signal,
      onEvent: (event) => {
        events.push(event);
        if (event.type === 'step' && event.step === 1) controller.abort();
      },
    });
    const episodes = await runDir.readEpisodes();
    expect(episodes.map((episode) => episode.termination)).toEqual(['interrupted', 'interrupted']);
    expect(episodes.every((episode) => episode.error === undefined && !episode.success)).toBe(true);
    expect(events.filter((event) => event.type === 'episode-start')).toHaveLength(2);
    expect(summary.terminations.interrupted).toBe(2);
    expect(factory.inFlight).toBe(0);
    expect((await runDir.readTransitions()).length).toBe(summary.steps);

    const already = new ScriptedWebShopFactory();
    expect((await run(already, ['1501'], { signal: AbortSignal.abort() })).episodes).toBe(0);
    expect(already.created).toBe(0);
  });

  it('does not wait for an env that ignores the abort', async () => {
    const controller = new AbortController();
    const factory = new ScriptedWebShopFactory({ hang: true });
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const summary = await run(factory, ['1501', '1502'], { signal: controller.signal });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(summary).toMatchObject({ episodes: 1, realInteractions: 1 });
    expect(summary.terminations.interrupted).toBe(1);
    expect(factory.inFlight).toBe(0);
  });

  it('stops starting episodes when the real budget is exhausted', async () => {
    const budget = { remaining: 7 };
    const factory = new ScriptedWebShopFactory({ budget });
    const summary = await run(factory, ['1501', '1502', '1503', '1504']);
    const episodes = await runDir.readEpisodes();
    expect(episodes.map((episode) => [episode.task_id, episode.termination, episode.steps])).toEqual([['1501', 'done', 5], ['1502', 'budget', 2]]);
    expect(episodes[1]!.error).toMatch(/^REAL_BUDGET_EXHAUSTED: /);
    expect(summary).toMatchObject({ episodes: 2, realInteractions: 7, failedEpisodes: 0 });
    expect(summary.terminations.budget).toBe(1);
    expect(factory.created).toBe(2);
  });

  it('ends with max_steps when the env truncates, counts invalid real steps, and not dream ones', async () => {
    const stuck = new ScriptedWebShopFactory({ maxSteps: 4 });
    const summary = await run(stuck, ['1505', '1501'], { policy: () => createReplayPolicy({ actions: Array(10).fill('click[nothing]') }) });
    expect(summary).toMatchObject({ episodes: 2, steps: 8, realInteractions: 8, successRate: 0 });
    expect(summary.terminations.max_steps).toBe(2);
    const lines = await runDir.readTransitions();
    expect(lines[0]!.next_state.last_action_error).toMatch(/^INVALID_ACTION/);
    expect(lines[3]).toMatchObject({ truncated: true, done: false });

    const dreamDir = await openRunDirectory(join(root, 'dream'));
    const dream = new ScriptedWebShopFactory({ source: 'dream' });
    const dreamed = await runEpisodes({ envFactory: dream, policy: () => createHeuristicWebShopPolicy(), tasks: tasks('1501'), runDir: dreamDir, runId: 'run-d', envName: 'webshop' });
    expect(dreamed).toMatchObject({ episodes: 1, steps: 5, realInteractions: 0, successRate: 1 });
    expect((await dreamDir.readEpisodes())[0]!.source).toBe('dream');
    await dreamDir.close();
  });

  it('appends to a used run directory only with resume, and fails the run when the directory cannot be written', async () => {
    await run(new ScriptedWebShopFactory(), ['1504']);
    await runDir.close();
    await expect(openRunDirectory(runDir.dir)).rejects.toMatchObject({ code: 'RUN_DIR_NOT_EMPTY' });
    runDir = await openRunDirectory(runDir.dir, { resume: true });
    await run(new ScriptedWebShopFactory(), ['1501'], { runId: 'run-20261122-070000-cd34' });
    expect((await runDir.readEpisodes()).map((episode) => episode.episode_id)).toEqual(['run-20261122-061500-ab12-1504-0', 'run-20261122-070000-cd34-1501-0']);

    await runDir.close();
    const factory = new ScriptedWebShopFactory();
    await expect(run(factory, ['1501', '1502'])).rejects.toMatchObject({ code: 'ENV_CLOSED' });
    expect(factory.created).toBe(1);
    expect(factory.inFlight).toBe(0);
  });
});
