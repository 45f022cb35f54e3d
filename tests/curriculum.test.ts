import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curriculumStep, REORDER_ONLY_MODE, type CurriculumTask } from '../harness/curriculum/curriculum-step.js';
import { selectSeedTasks } from '../harness/curriculum/select-seed-tasks.js';
import { TaskGenerationError } from '../harness/curriculum/task-generation-error.js';
import { createOpenAITaskGenerator, validateGeneratedInstruction, type TaskGenerator } from '../harness/curriculum/task-generator.js';
import { computeTaskVariances } from '../harness/curriculum/task-variance.js';
import { startScriptedLlmServer, type ScriptedLlmServer } from '../fixtures/llm/scripted-llm-server.js';
import { codeOf } from '../src/env/code-of.js';

const ep = (task_id: string, total_reward: number) => ({ task_id, total_reward });
const seedTask = (task_id: string, instruction = `buy item ${task_id}`): CurriculumTask => ({ task_id, instruction, env: 'webshop', origin: 'seed' });

/** A generator that answers from a function and counts calls. */
const stubGenerator = (answer: (instruction: string, id: string) => string): TaskGenerator & { calls: string[] } => {
  const calls: string[] = [];
  return {
    name: 'stub',
    calls,
    generate: async (seed) => (calls.push(seed.task_id), { instruction: answer(seed.instruction, seed.task_id) }),
  };
};

describe('computeTaskVariances', () => {
  it('computes population variance, counts and means per task, sorted by id', () => {
    const stats = computeTaskVariances([ep('b', 1), ep('a', 0), ep('b', 0), ep('a', 0), ep('b', 1), ep('b', 0), ep('c', 0.5)], ['d']);
    expect(stats.map((s) => s.task_id)).toEqual(['a', 'b', 'c', 'd']);
    const [a, b, c, d] = stats;
    expect(a).toEqual({ task_id: 'a', count: 2, mean: 0, variance: 0, insufficient: false });
    expect(b?.count).toBe(4);
    expect(b?.mean).toBeCloseTo(0.5);
    expect(b?.variance).toBeCloseTo(0.25); // (1/n) Σ (r − r̄)², not the n−1 sample variance
    expect(c).toEqual({ task_id: 'c', count: 1, mean: 0.5, variance: 0, insufficient: true });
    expect(d).toEqual({ task_id: 'd', count: 0, mean: 0, variance: 0, insufficient: true });
  });

  it('handles non-binary rewards', () => {
    const [x] = computeTaskVariances([ep('x', 0.2), ep('x', 0.4), ep('x', 0.9)]);
    const mean = 0.5;
    expect(x?.variance).toBeCloseTo(((0.2 - mean) ** 2 + (0.4 - mean) ** 2 + (0.9 - mean) ** 2) / 3);
  });
});

describe('selectSeedTasks', () => {
  const stats = computeTaskVariances([
    ...[1, 0].flatMap((r) => [ep('t3', r), ep('t1', r), ep('t2', r)]), // variance 0.25 each
    ep('t4', 1), ep('t4', 1), ep('t4', 1), ep('t4', 0), // 0.1875
    ep('t5', 1), ep('t5', 1), // 0: mastered
    ep('t6', 1), // 1 rollout
  ]);

  it('takes the top n by variance, ties by task id', () => {
    expect(selectSeedTasks(stats, 2).map((s) => s.task_id)).toEqual(['t1', 't2']);
    expect(selectSeedTasks(stats, 10).map((s) => s.task_id)).toEqual(['t1', 't2', 't3', 't4']);
  });

  it('is deterministic whatever the input order', () => {
    expect(selectSeedTasks([...stats].reverse(), 3)).toEqual(selectSeedTasks(stats, 3));
  });

  it('skips zero-variance and unmeasured tasks unless asked', () => {
    expect(selectSeedTasks(stats, 10, { includeZeroVariance: true }).map((s) => s.task_id)).toEqual(['t1', 't2', 't3', 't4', 't5', 't6']);
  });

  it('rejects a bad n', () => {
    expect(() => selectSeedTasks(stats, -1)).toThrow(RangeError);
  });
});

describe('curriculumStep', () => {
  // Ten seed tasks; s0..s5 have spread rewards, s6..s9 are mastered.
  const tasks = Array.from({ length: 10 }, (_, i) => seedTask(`s${i}`));
  const episodes = tasks.flatMap((t, i) => (i < 6 ? [ep(t.task_id, 1), ep(t.task_id, 0), ep(t.task_id, i < 3 ? 0 : 1)] : [ep(t.task_id, 1), ep(t.task_id, 1)]));

  it('enforces the λ cap: 10 tasks, λ 0.3 → at most 3 synthetic', async () => {
    const generator = stubGenerator((instruction) => `${instruction} in blue`);
    const result = await curriculumStep({ episodes, tasks, seeds: 6, lambda: 0.3, generator });
    expect(result.syntheticCap).toBe(3);
    expect(result.tasks).toHaveLength(10);
    expect(result.tasks.filter((t) => t.origin === 'synthetic')).toHaveLength(3);
    expect(generator.calls).toHaveLength(3); // no model calls past the cap
    expect(result.log).toHaveLength(6);
    expect(result.log.filter((e) => e.generated === null).every((e) => e.reason.startsWith('λ cap reached'))).toBe(true);
  });

  it('gives deterministic <parent>-syn-<n> ids that skip existing ones', async () => {
    const pool: CurriculumTask[] = [...tasks, { task_id: 's0-syn-1', instruction: 'older variation', env: 'webshop', origin: 'synthetic', parent: 's0' }];
    const generator = stubGenerator((instruction) => `${instruction} twice`);
    const result = await curriculumStep({ episodes, tasks: pool, seeds: 2, lambda: 0.5, generator });
    const ids = result.log.map((e) => e.generated?.task_id);
    expect(ids).toEqual(['s0-syn-2', 's1-syn-1']);
    expect(result.log[0]).toMatchObject({ seed: 's0', generated: { origin: 'synthetic', parent: 's0' } });
    expect(result.log[0]?.variance).toBeCloseTo(2 / 9);
    // New variations sit right after their parent.
    expect(result.tasks.slice(0, 4).map((t) => t.task_id)).toEqual(['s0', 's0-syn-2', 's1', 's1-syn-1']);
  });

  it('logs generator failures and duplicates instead of throwing', async () => {
    const generator: TaskGenerator = {
      name: 'flaky',
      generate: async (seed) => {
        if (seed.task_id === 's0') throw new TaskGenerationError('flaky', 'invalid-output', 'the reply is empty');
        return { instruction: 'buy item s5' }; // already in the pool
      },
    };
    const result = await curriculumStep({ episodes, tasks, seeds: 2, generator });
    expect(result.log.map((e) => e.generated)).toEqual([null, null]);
    expect(result.log[0]?.reason).toContain('the reply is empty');
    expect(result.log[1]?.reason).toBe('duplicate of task s5');
    expect(result.tasks.every((t) => t.origin === 'seed')).toBe(true);
  });

  it('only reorders by variance without a generator, and says so', async () => {
    const result = await curriculumStep({ episodes, tasks: [...tasks].reverse(), seeds: 3 });
    expect(result.mode).toBe(REORDER_ONLY_MODE);
    expect(result.mode).toBe('reorder-only (no task generator configured)');
    expect(result.tasks.map((t) => t.task_id)).toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9']);
    expect(result.log.map((e) => [e.seed, e.generated, e.reason])).toEqual(['s0', 's1', 's2'].map((s) => [s, null, REORDER_ONLY_MODE]));
  });

  it('drops excess existing synthetic tasks to respect λ', async () => {
    const synthetic: CurriculumTask[] = Array.from({ length: 4 }, (_, i) => ({ task_id: `s0-syn-${i + 1}`, instruction: `v${i}`, env: 'webshop', origin: 'synthetic', parent: 's0' }));
    const result = await curriculumStep({ episodes, tasks: [...tasks.slice(0, 6), ...synthetic], seeds: 0, lambda: 0.2 });
    expect(result.tasks.filter((t) => t.origin === 'synthetic').map((t) => t.task_id)).toEqual(['s0-syn-1', 's0-syn-2']);
    expect(result.tasks).toHaveLength(8); // only 6 seed tasks to fill the rest
  });

  it('rejects λ outside [0, 1]', async () => {
    await expect(curriculumStep({ episodes, tasks, seeds: 1, lambda: 1.5 })).rejects.toThrow(RangeError);
  });
});

describe('validateGeneratedInstruction', () => {
  const seed = { task_id: 's', instruction: 'Buy a red shirt under $20.', env: 'webshop' as const };
  it('cleans quotes and accepts a new instruction', () => {
    expect(validateGeneratedInstruction('  "Buy a blue hat under $15."\n', seed, 'g')).toBe('Buy a blue hat under $15.');
  });
  it('rejects empty, repeated (after normalisation) and over-long replies', () => {
    for (const reply of ['', '  ', 'buy a RED shirt   under $20', 'x'.repeat(1001)]) {
      expect(() => validateGeneratedInstruction(reply, seed, 'g')).toThrow(TaskGenerationError);
    }
  });
});

describe('createOpenAITaskGenerator over HTTP', () => {
  let server: ScriptedLlmServer;
  const seed = { task_id: '17', instruction: 'Find a waterproof hiking boot in size 9, price lower than 80 dollars.', env: 'webshop' as const };

  beforeAll(async () => {
    server = await startScriptedLlmServer({
      rules: [
        { match: /EMPTY-SEED/, reply: '   ' },
        { match: /echo-seed/i, reply: 'ECHO-SEED: buy a lamp' },
        { match: /BROKEN-SEED/, reply: '', status: 500 },
        { match: /hiking boot/, reply: 'Find a waterproof trail running shoe in size 10, price lower than 70 dollars.' },
      ],
      defaultReply: '',
    });
  });
  afterAll(async () => {
    await server.close();
  });

  const make = () => createOpenAITaskGenerator({ model: 'scripted', baseURL: server.url, apiKey: 'test', timeoutMs: 5000 });

  it('sends the seed instruction and returns the variation', async () => {
    const before = server.requests.length;
    const result = await make().generate(seed);
    expect(result.instruction).toBe('Find a waterproof trail running shoe in size 10, price lower than 70 dollars.');
    const request = server.requests[before];
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.lastUserMessage).toContain(seed.instruction);
    expect(request?.lastUserMessage).toContain('Environment: webshop');
  });

  it('rejects an empty reply with a typed error', async () => {
    const error: unknown = await make().generate({ ...seed, instruction: 'EMPTY-SEED: buy a lamp' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskGenerationError);
    expect(codeOf(error)).toBe('MODEL_OUTPUT_UNPARSEABLE');
    expect((error as Error).message).toContain('the reply is empty');
  });

  it('rejects a reply identical to the seed', async () => {
    const error: unknown = await make().generate({ ...seed, instruction: 'echo-seed:  Buy a lamp.' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskGenerationError);
    expect((error as TaskGenerationError).problem).toBe('invalid-output');
    expect((error as Error).message).toContain('repeats seed task 17');
  });

  it('reports HTTP failures as request-failed', async () => {
    const generator = createOpenAITaskGenerator({ model: 'scripted', baseURL: server.url, apiKey: 'test', maxRetries: 0 });
    const error: unknown = await generator.generate({ ...seed, instruction: 'BROKEN-SEED' }).catch((e: unknown) => e);
    expect((error as TaskGenerationError).problem).toBe('request-failed');
    expect((error as TaskGenerationError).code).toBe('TASKGEN_FAILED');
  });

  it('drives a curriculum step end to end', async () => {
    const tasks: CurriculumTask[] = [{ task_id: '17', instruction: seed.instruction, env: 'webshop', origin: 'seed' }, seedTask('18')];
    const result = await curriculumStep({ episodes: [ep('17', 1), ep('17', 0), ep('18', 0), ep('18', 1)], tasks, seeds: 1, size: 2, generator: make() });
    expect(result.mode).toBe('generate');
    expect(result.tasks.map((t) => t.task_id)).toEqual(['17', '17-syn-1']);
    expect(result.log[0]?.reason).toBe('generated by openai:scripted');
  });
});
