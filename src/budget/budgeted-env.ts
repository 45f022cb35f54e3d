import type { Env, EnvFactory, TimeoutOptions } from '../env/env.js';
import type { RealBudget } from './real-budget.js';
import { cleanUp } from '../env/clean-up.js';

/** Options of `withRealBudget`. */
export interface RealBudgetEnvOptions {
  /** Count `reset` as a real interaction too (it loads a page). Default: false (DESIGN.md: resets do not count). */
  countResets?: boolean;
}

/**
 * Reserves one interaction, makes the call and commits it. The reservation is written before the
 * call, so an exhausted budget throws REAL_BUDGET_EXHAUSTED without touching the env. Once the
 * call is made it counts, whatever happens (invalid actions, errors, timeouts after sending);
 * only a call never made (the signal aborted before it) gives the reservation back.
 */
const spend = async <T>(budget: RealBudget, options: TimeoutOptions | undefined, call: () => Promise<T>): Promise<T> => {
  const signal = options?.signal;
  const reservation = await budget.reserve(signal === undefined ? {} : { signal });
  if (signal?.aborted) {
    await reservation.release();
    signal.throwIfAborted();
  }
  let result: T;
  try {
    result = await call();
  } catch (error) {
    // The call's own error matters more; a commit that fails leaves the reservation in the
    // ledger, where it is counted as used once this process is gone.
    await cleanUp('real-budget reservation (commit after a failed call)', () => reservation.commit());
    throw error;
  }
  await reservation.commit();
  return result;
};

/** Wraps a real Env so every `step` (and `reset` with `countResets`) spends one interaction of `budget`. */
export const withRealBudget = (env: Env, budget: RealBudget, options: RealBudgetEnvOptions = {}): Env => {
  const countResets = options.countResets ?? false;
  return {
    get source() {
      return env.source;
    },
    reset: (task, timeout) => (countResets ? spend(budget, timeout, () => env.reset(task, timeout)) : env.reset(task, timeout)),
    step: (action, timeout) => spend(budget, timeout, () => env.step(action, timeout)),
    close: () => env.close(),
    ...(env.resetReport ? { resetReport: () => env.resetReport?.() } : {}),
  };
};

/** A factory whose envs all spend from `budget` (see `withRealBudget`). */
export const withRealBudgetFactory = (factory: EnvFactory, budget: RealBudget, options: RealBudgetEnvOptions = {}): EnvFactory => ({
  source: factory.source,
  create: async (timeout) => withRealBudget(await factory.create(timeout), budget, options),
  close: () => factory.close(),
});
