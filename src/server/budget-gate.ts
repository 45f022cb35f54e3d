import { withRealBudget, type RealBudget } from '../budget/index.js';
import { hasCode } from '../env/code-of.js';
import type { Env, TimeoutOptions } from '../env/env.js';
import type { Observation, StepResult, Task } from '../protocol/index.js';

/** What sessions do when a real reset or step meets a spent budget. */
export type OnBudgetExhausted = 'stop' | 'dream';

/**
 * The one place real interactions pass: every real env a session uses is wrapped here, so the
 * cap holds whichever route (WS, HTTP, AgentGym) the step came from. Without a ledger the gate
 * only counts, so `state` can still say how many real steps were spent.
 */
export interface BudgetGate {
  /** The env, its steps charged to the budget; `onStep` runs once per step sent to the site. */
  wrap(env: Env, onStep: () => void): Env;
  /** True when no real step is left (always false without a budget). */
  exhausted(): Promise<boolean>;
  /** Real interactions spent and the cap (null without a budget). */
  figures(): Promise<{ used: number; cap: number | null }>;
}

const isBudgetRefusal = (error: unknown): boolean => hasCode(error, 'REAL_BUDGET_EXHAUSTED');

/** Counts each `step` call that reached the env (refusals by the budget are not interactions). */
class CountingEnv implements Env {
  readonly source;

  constructor(
    private readonly inner: Env,
    private readonly onStep: () => void,
  ) {
    this.source = inner.source;
  }

  reset(task: Task, options?: TimeoutOptions): Promise<Observation> {
    return this.inner.reset(task, options);
  }

  async step(action: string, options?: TimeoutOptions): Promise<StepResult> {
    let refused = false;
    try {
      return await this.inner.step(action, options);
    } catch (error) {
      refused = isBudgetRefusal(error);
      throw error;
    } finally {
      if (!refused) this.onStep();
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

export interface BudgetGateOptions {
  /** The persistent ledger (or an in-memory budget); none = unlimited, counted locally. */
  budget?: RealBudget;
  /** Charge resets too. Default false (DESIGN.md: resets do not count unless configured). */
  countResets?: boolean;
}

export const createBudgetGate = (options: BudgetGateOptions = {}): BudgetGate => {
  const { budget } = options;
  let local = 0;
  return {
    wrap: (env, onStep) => {
      const counted = new CountingEnv(env, () => {
        local += 1;
        onStep();
      });
      return budget ? withRealBudget(counted, budget, { countResets: options.countResets ?? false }) : counted;
    },
    exhausted: async () => (budget ? (await budget.snapshot()).remaining <= 0 : false),
    figures: async () => {
      if (!budget) return { used: local, cap: null };
      const snapshot = await budget.snapshot();
      return { used: snapshot.used, cap: snapshot.cap };
    },
  };
};
