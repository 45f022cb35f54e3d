import { isDeepStrictEqual } from 'node:util';
import pLimit from 'p-limit';
import type { EnvFactory, Env } from '../../src/env/env.js';
import type { HistoryEntry, Policy } from '../../src/env/policy.js';
import type { Observation, StepResult, Task } from '../../src/protocol/index.js';

/** One episode both transports replay: a goal and the policy that chooses its actions. */
export interface ConformanceEpisode {
  /** Names the episode in mismatches, e.g. `heuristic goal 1500`. */
  label: string;
  task: Task;
  /** Made fresh for the episode; it sees the browser path's observations. */
  policy: () => Policy;
  /** Most steps of this episode. Default: the options' `maxSteps`. */
  maxSteps?: number;
}

/** The first difference of an episode: where, in which field, and both values. */
export interface ConformanceMismatch {
  episode: string;
  /** -1 for the reset's observation. */
  step: number;
  action: string | null;
  field: string;
  browser: unknown;
  http: unknown;
}

export interface ConformanceReport {
  episodes: number;
  /** Steps both transports took (resets not counted). */
  steps: number;
  /** Observations compared, by page type (`invalid` counts steps refused as invalid actions). */
  pageTypes: Record<string, number>;
  mismatches: ConformanceMismatch[];
  ok: boolean;
}

export interface ConformanceOptions {
  browser: EnvFactory;
  http: EnvFactory;
  episodes: readonly ConformanceEpisode[];
  /** Most steps of an episode. Default 40 (longer than WebShop's 15, so tours finish). */
  maxSteps?: number;
  /** Episodes replayed at once (each in lockstep). Default 4. */
  concurrency?: number;
  /** Called after each episode (progress). */
  onEpisode?: (done: number, total: number, mismatch: ConformanceMismatch | undefined) => void;
}

/** What must be byte-identical between the transports: all of a step's result but its latency. */
const comparable = (result: StepResult): Record<string, unknown> => ({
  observation: result.observation,
  reward: result.reward,
  done: result.done,
  truncated: result.truncated,
  error: result.info.error,
  reward_components: result.info.reward_components,
});

const firstDifference = (browser: Record<string, unknown>, http: Record<string, unknown>): string | undefined => {
  for (const key of new Set([...Object.keys(browser), ...Object.keys(http)])) {
    const b = browser[key];
    const h = http[key];
    if (isDeepStrictEqual(b, h)) continue;
    if (b && h && typeof b === 'object' && typeof h === 'object' && !Array.isArray(b)) {
      const inner = firstDifference(b as Record<string, unknown>, h as Record<string, unknown>);
      return inner === undefined ? key : `${key}.${inner}`;
    }
    return key;
  }
  return undefined;
};

const valueAt = (record: Record<string, unknown>, path: string): unknown =>
  path.split('.').reduce<unknown>((at, key) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined), record);

const mismatchOf = (episode: string, step: number, action: string | null, browser: Record<string, unknown>, http: Record<string, unknown>): ConformanceMismatch | undefined => {
  const field = firstDifference(browser, http);
  return field === undefined ? undefined : { episode, step, action, field, browser: valueAt(browser, field), http: valueAt(http, field) };
};

/** Both outcomes of one call: a value, or the error's code and message. */
const settle = async <T>(work: Promise<T>): Promise<{ value: T } | { error: string }> =>
  work.then(
    (value) => ({ value }),
    (error: unknown) => ({ error: `${(error as { code?: string }).code ?? 'ERROR'}: ${(error as Error).message}` }),
  );

/**
 * Replays episodes through the browser and the http transport in lockstep, with the same
 * session id (so the same server session renders both) and the same actions (the policy reads
 * the browser path's observations), and requires every reset observation and every step result
 * (observation, reward, done, truncated, error, reward components) to be identical. An episode
 * stops at its first difference, which the report names.
 */
export const compareTransports = async (options: ConformanceOptions): Promise<ConformanceReport> => {
  const report: ConformanceReport = { episodes: 0, steps: 0, pageTypes: {}, mismatches: [], ok: true };
  const count = (o: Observation): void => {
    const kind = o.last_action_error === undefined ? (o.page_type ?? 'unknown') : 'invalid';
    report.pageTypes[kind] = (report.pageTypes[kind] ?? 0) + 1;
  };
  const maxSteps = options.maxSteps ?? 40;
  const prefix = `conf${Math.random().toString(36).slice(2, 7)}`;
  let finished = 0;
  const limit = pLimit(options.concurrency ?? 4);
  const replay = async (index: number, episode: ConformanceEpisode): Promise<ConformanceMismatch | undefined> => {
    const task: Task = { ...episode.task, config: { ...episode.task.config, session_id: `${prefix}-${index}-fixed_${episode.task.task_id}` } };
    const envs: Env[] = [];
    let mismatch: ConformanceMismatch | undefined;
    try {
      const [browser, http] = [await options.browser.create(), await options.http.create()];
      envs.push(browser, http);
      const [b0, h0] = [await settle(browser.reset(task)), await settle(http.reset(task))];
      mismatch = mismatchOf(episode.label, -1, null, b0, h0);
      if (mismatch === undefined && 'value' in b0) {
        count(b0.value);
        const policy = episode.policy();
        const history: HistoryEntry[] = [];
        let observation = b0.value;
        for (let step = 0; step < (episode.maxSteps ?? maxSteps) && mismatch === undefined; step += 1) {
          // Past a purchase the policy has nothing to say: one more click, which both must refuse alike.
          const decided = observation.page_type === 'done' ? { action: 'click[buy now]' } : await policy.act(observation, history, task).catch(() => undefined);
          if (decided === undefined) break;
          const { action } = decided;
          const [b, h] = [await settle(browser.step(action)), await settle(http.step(action))];
          mismatch = mismatchOf(episode.label, step, action, 'value' in b ? comparable(b.value) : b, 'value' in h ? comparable(h.value) : h);
          if (mismatch !== undefined || !('value' in b)) break;
          report.steps += 1;
          count(b.value.observation);
          history.push({ observation, action, reward: b.value.reward });
          observation = b.value.observation;
          // One step past a purchase too: both must refuse it the same way.
          if (b.value.truncated || (b.value.done && history.at(-1)?.observation.page_type === 'done')) break;
        }
      }
    } finally {
      await Promise.all(envs.map((env) => env.close()));
    }
    report.episodes += 1;
    finished += 1;
    options.onEpisode?.(finished, options.episodes.length, mismatch);
    return mismatch;
  };
  const mismatches = await Promise.all(options.episodes.map((episode, index) => limit(() => replay(index, episode))));
  report.mismatches = mismatches.filter((m): m is ConformanceMismatch => m !== undefined);
  report.ok = report.mismatches.length === 0;
  return report;
};
