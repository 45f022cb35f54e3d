import { EnvClosedError, RealBudgetExhaustedError } from '../env/errors.js';
import { checkCap } from './ledger-format.js';
import type { LedgerSnapshot, RealBudget, Reservation } from './real-budget.js';

/**
 * An in-process budget with the ledger's semantics (reserve before, commit or release after,
 * exhausted when used + reserved >= cap), for tests and servers without a ledger file. Nothing
 * persists: a restart starts from zero.
 */
export const createMemoryBudget = (cap: number): RealBudget => {
  checkCap(cap, 'memory budget');
  let used = 0;
  let reserved = 0;
  let sequence = 0;
  let closed = false;
  let updatedAt = new Date().toISOString();
  const touch = (): void => void (updatedAt = new Date().toISOString());

  const makeReservation = (id: string): Reservation => {
    let settled = false;
    const settle = (spent: boolean): Promise<void> => {
      if (!settled) {
        settled = true;
        reserved -= 1;
        if (spent) used += 1;
        touch();
      }
      return Promise.resolve();
    };
    return { id, commit: () => settle(true), release: () => settle(false) };
  };

  return {
    reserve: async (options = {}) => {
      if (closed) throw new EnvClosedError('real-interaction budget');
      options.signal?.throwIfAborted();
      if (used + reserved >= cap) {
        throw new RealBudgetExhaustedError(`real-interaction budget exhausted: ${used} used + ${reserved} reserved of cap ${cap}`, { cap, used, reserved });
      }
      reserved += 1;
      sequence += 1;
      touch();
      return makeReservation(`memory-${sequence}`);
    },
    snapshot: async (): Promise<LedgerSnapshot> => ({ cap, used, reserved, remaining: Math.max(0, cap - used - reserved), updated_at: updatedAt }),
    close: async () => {
      closed = true;
    },
  };
};
