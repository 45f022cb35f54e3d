import { describe, expect, it } from 'vitest';
import { DreambridgeError, errorCodes, RealBudgetExhaustedError, StepTimeoutError } from '../src/env/errors.js';
import { episodeSchema, observationSchema, transitionSchema } from '../src/protocol/index.js';

const observation = {
  text: 'WebShop [SEP] Instruction: [SEP] find a lamp [SEP] Search',
  instruction: 'find a lamp',
  url: 'http://127.0.0.1:3000/fixed_0',
  page_type: 'search',
  available_actions: { has_search_bar: true, clickables: ['search'] },
  source: 'real',
};

describe('shared protocol', () => {
  it('accepts the DESIGN.md observation and transition shapes (snake_case)', () => {
    expect(observationSchema.parse(observation)).toEqual(observation);
    const transition = {
      run_id: 'r1',
      episode_id: 'e1',
      task_id: '0',
      env: 'webshop',
      source: 'real',
      step: 0,
      state: observation,
      action: 'search[lamp]',
      next_state: { ...observation, source: 'real' },
      reward: 0,
      done: false,
      truncated: false,
      info: { latency_ms: 52, retrieved: ['t1'] },
    };
    expect(transitionSchema.parse(transition)).toEqual(transition);
    expect(observationSchema.parse({ ...observation, available_actions: { ids: ['12', '40'] } }).available_actions).toEqual({ ids: ['12', '40'] });
  });

  it('rejects malformed lines naming the field', () => {
    const result = observationSchema.safeParse({ ...observation, source: 'imagined' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['source']);
    const episode = episodeSchema.safeParse({ run_id: 'r', episode_id: 'e', task_id: 3 });
    expect(episode.error?.issues.map((i) => i.path[0])).toContain('task_id');
  });

  it('typed errors carry stable codes', () => {
    const spent = new RealBudgetExhaustedError('budget of 100 real steps is spent', { spent: 100 });
    expect(spent).toBeInstanceOf(DreambridgeError);
    expect(spent.code).toBe('REAL_BUDGET_EXHAUSTED');
    expect(spent.details).toEqual({ spent: 100 });
    expect(new StepTimeoutError(5000, 'click[buy now]').message).toBe('click[buy now] did not finish within 5000 ms');
    expect(errorCodes).toContain('INVALID_ACTION');
  });
});
