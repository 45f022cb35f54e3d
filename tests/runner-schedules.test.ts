import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEpisodes } from '../harness/runner.js';
import { parseSchedule, plannedSource } from '../harness/schedule.js';
import type { Policy } from '../src/env/policy.js';
import { createMemoryBudget } from '../src/budget/memory-budget.js';
import { withRealBudget } from '../src/budget/budgeted-env.js';
import type { Env, EnvFactory, TimeoutOptions } from '../src/env/env.js';
import type { Observation, Source, StepResult, Task } from '../src/protocol/index.js';
import { openRunDirectory } from '../src/store/index.js';

const observation = (source: Source, text = 'page'): Observation => ({ text, instruction: 'do it', available_actions: { has_search_bar: false, clickables: ['next'] }, source });

/** A site of `length` steps per episode; counts envs open at once; can fail or stall a step. */
class CountingFactory implements EnvFactory {
  open = 0;
  maxOpen = 0;
  stepsSent = 0;
  constructor(readonly source: Source, private readonly behaviour: { length?: number; failAt?: number; stallMs?: number } = {}) {}
  create(): Promise<Env> {
    this.open += 1;
    this.maxOpen = Math.max(this.maxOpen, this.open);
    let step = 0;
    const { behaviour } = this;
    const count = (): void => {
      this.stepsSent += 1;
    };
    const closed = (): void => {
      this.open -= 1;
    };
    const source = this.source;
    const env: Env = {
      source: this.source,
      reset: () => Promise.resolve(observation(this.source)),
      async step(_action: string, options?: TimeoutOptions): Promise<StepResult> {
        count();
        step += 1;
        await new Promise((r) => setTimeout(r, behaviour.stallMs ?? 2));
        options?.signal?.throwIfAborted();
        if (step === behaviour.failAt) throw Object.assign(new Error('the page crashed'), { code: 'NAVIGATION_FAILED' });
        const done = step >= (behaviour.length ?? 3);
        return { observation: observation(source, `page ${step}`), reward: done ? 1 : 0, done, truncated: false, info: { latency_ms: 1 } };
      },
      close: () => {
        closed();
        return Promise.resolve();
      },
    };
    return Promise.resolve(env);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const policy = (): Policy => ({ name: 'next', act: () => Promise.resolve({ action: 'click[next]' }) });
const tasks = (n: number): Task[] => Array.from({ length: n }, (_, i) => ({ task_id: String(i), env: 'webshop', instruction: 'do it' }));
const runDir = () => openRunDirectory(join(mkdtempSync(join(tmpdir(), 'dreambridge-sched-')), 'run'));

describe('schedules', () => {
  it('plan s2r and mix by slot, deterministically', () => {
    const s2r = parseSchedule('s2r', { dreamEpisodes: 3 });
    expect(Array.from({ length: 5 }, (_, i) => plannedSource(s2r, i))).toEqual(['dream', 'dream', 'dream', 'real', 'real']);
    const mix = parseSchedule('mix:0.3', { seed: '7' });
    const plan = Array.from({ length: 1000 }, (_, i) => plannedSource(mix, i));
    expect(plan).toEqual(Array.from({ length: 1000 }, (_, i) => plannedSource(parseSchedule('mix:0.3', { seed: '7' }), i)));
    const share = plan.filter((s) => s === 'real').length / plan.length;
    expect(share).toBeGreaterThan(0.25);
    expect(share).toBeLessThan(0.35);
  });
});

describe('runEpisodes with dream and real factories', () => {
  it('routes slots by schedule, caps real concurrency, and runs the rest in dream once the budget is spent', async () => {
    const real = new CountingFactory('real', { length: 4, stallMs: 10 });
    const dream = new CountingFactory('dream', { length: 4 });
    const budget = createMemoryBudget(10);
    const dir = await runDir();
    const result = await runEpisodes({
      factories: { real: { source: 'real', create: async () => withRealBudget(await real.create(), budget), close: () => real.close() }, dream },
      sourceFor: (slot) => (slot < 2 ? 'dream' : 'real'),
      policy,
      tasks: tasks(8),
      concurrency: 4,
      realConcurrency: 2,
      onBudgetExhausted: 'dream',
      budgetRemaining: async () => (await budget.snapshot()).remaining,
      runDir: dir,
      runId: 'r',
      envName: 'webshop',
    });
    expect(real.maxOpen).toBeLessThanOrEqual(2);
    expect(real.stepsSent).toBe(10);
    expect(result.episodes).toBe(8);
    expect(result.budgetExhausted).toBe(true);
    const lines = await dir.readTransitions();
    expect(lines.filter((t) => t.source === 'real')).toHaveLength(10);
    const episodes = await dir.readEpisodes();
    expect(episodes.filter((e) => e.termination === 'budget').length).toBeGreaterThan(0);
    expect(episodes.filter((e) => e.source === 'dream').length).toBeGreaterThan(2);
  });

  it('logs a real step that failed after it was sent, counts it, and ends only that episode', async () => {
    const real = new CountingFactory('real', { length: 3, failAt: 2 });
    const dir = await runDir();
    const result = await runEpisodes({ envFactory: real, policy, tasks: tasks(3), concurrency: 1, runDir: dir, runId: 'r', envName: 'webshop' });
    expect(result.episodes).toBe(3);
    expect(result.terminations.error).toBe(3);
    expect(result.realInteractions).toBe(6);
    const lines = await dir.readTransitions();
    expect(lines).toHaveLength(6);
    const failed = lines.filter((t) => t.info.error !== undefined);
    expect(failed).toHaveLength(3);
    expect(failed[0]?.next_state.last_action_error).toBe('NAVIGATION_FAILED: the page crashed');
    expect(failed[0]?.reward).toBe(0);
  });

  it('ends an episode past its own deadline as an error (EPISODE_TIMEOUT) and goes on', async () => {
    const slow = new CountingFactory('dream', { length: 1000, stallMs: 20 });
    const dir = await runDir();
    const result = await runEpisodes({ envFactory: slow, policy, tasks: tasks(2), concurrency: 2, episodeTimeoutMs: 300, runDir: dir, runId: 'r', envName: 'webshop' });
    expect(result.terminations.error).toBe(2);
    const episodes = await dir.readEpisodes();
    for (const e of episodes) expect(e.error).toMatch(/^EPISODE_TIMEOUT: the episode took longer than 300 ms/);
  });
});
