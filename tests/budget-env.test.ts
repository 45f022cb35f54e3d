import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withRealBudget } from '../src/budget/budgeted-env.js';
import { openLedger } from '../src/budget/ledger.js';
import { createMemoryBudget } from '../src/budget/memory-budget.js';
import type { Env, TimeoutOptions } from '../src/env/env.js';
import type { Observation, StepResult, Task } from '../src/protocol/index.js';

const observation = (text: string, error?: string): Observation => ({
  text,
  instruction: 'buy a red mug',
  available_actions: { has_search_bar: false, clickables: ['red mug', 'buy now'] },
  source: 'real',
  ...(error === undefined ? {} : { last_action_error: error }),
});

/** A tiny real environment: it records every call it receives; `fail` fails after "sending". */
class RecordingEnv implements Env {
  readonly source = 'real' as const;
  readonly calls: string[] = [];
  closed = false;

  async reset(task: Task): Promise<Observation> {
    this.calls.push(`reset ${task.task_id}`);
    return observation('start');
  }

  async step(action: string, _options?: TimeoutOptions): Promise<StepResult> {
    this.calls.push(action);
    if (action === 'fail') throw new Error('the page crashed after the click was sent');
    const valid = /^click\[(red mug|buy now)\]$/.test(action);
    return {
      observation: observation(valid ? `after ${action}` : 'start', valid ? undefined : `INVALID_ACTION: ${action} is not available`),
      reward: 0,
      done: action === 'click[buy now]',
      truncated: false,
      info: { latency_ms: 1 },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

const task: Task = { task_id: '7', env: 'webshop' };
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dreambridge-budget-env-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('withRealBudget', () => {
  it('counts valid, invalid and failing steps, and refuses past the cap without calling the env', async () => {
    const ledger = await openLedger(join(dir, 'ledger.json'), { cap: 3 });
    const inner = new RecordingEnv();
    const env = withRealBudget(inner, ledger);
    expect(env.source).toBe('real');
    await env.reset(task);
    expect((await env.step('click[red mug]')).observation.text).toBe('after click[red mug]');
    const invalid = await env.step('click[blue mug]');
    expect(invalid.observation.last_action_error).toMatch(/^INVALID_ACTION/);
    await expect(env.step('fail')).rejects.toThrow('the page crashed after the click was sent');
    expect(await ledger.snapshot()).toMatchObject({ used: 3, reserved: 0, remaining: 0 });

    await expect(env.step('click[buy now]')).rejects.toMatchObject({ code: 'REAL_BUDGET_EXHAUSTED' });
    expect(inner.calls).toEqual(['reset 7', 'click[red mug]', 'click[blue mug]', 'fail']);
    expect(await ledger.snapshot()).toMatchObject({ used: 3, reserved: 0 });
    await env.close();
    expect(inner.closed).toBe(true);
    await ledger.close();
  });

  it('counts resets only with countResets', async () => {
    const budget = createMemoryBudget(2);
    const inner = new RecordingEnv();
    await withRealBudget(inner, budget).reset(task);
    expect(await budget.snapshot()).toMatchObject({ used: 0 });
    const counting = withRealBudget(inner, budget, { countResets: true });
    await counting.reset(task);
    await counting.step('click[red mug]');
    expect(await budget.snapshot()).toMatchObject({ used: 2, remaining: 0 });
    await expect(counting.reset(task)).rejects.toMatchObject({ code: 'REAL_BUDGET_EXHAUSTED' });
    expect(inner.calls).toEqual(['reset 7', 'reset 7', 'click[red mug]']);
  });

  it('gives the reservation back when the step is aborted before it is sent', async () => {
    const budget = createMemoryBudget(1);
    const inner = new RecordingEnv();
    const env = withRealBudget(inner, budget);
    await expect(env.step('click[red mug]', { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(inner.calls).toEqual([]);
    expect(await budget.snapshot()).toMatchObject({ used: 0, reserved: 0, remaining: 1 });
    await env.step('click[red mug]');
    expect(await budget.snapshot()).toMatchObject({ used: 1, remaining: 0 });
  });
});
