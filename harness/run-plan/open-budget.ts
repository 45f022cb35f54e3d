import type { Logger } from 'pino';
import { openLedger } from '../../src/budget/ledger.js';
import { createMemoryBudget } from '../../src/budget/memory-budget.js';
import type { RealBudget } from '../../src/budget/real-budget.js';
import { isRedisUrl } from '../../src/budget/redis-location.js';

/**
 * The real-interaction budget of a run or a server: a persistent ledger (`--ledger FILE`, or
 * `--ledger redis://…#KEY` shared by several machines; created with
 * `--real-cap N` when missing), an in-memory cap when only `--real-cap` is given (it does not
 * survive the process: resumed runs start over, which the log says), or none.
 */
export const openBudget = async (flags: { ledger?: string | undefined; realCap?: number | undefined }, logger: Logger): Promise<RealBudget | undefined> => {
  if (flags.ledger && isRedisUrl(flags.ledger)) {
    // Loaded only when asked for: runs with a file ledger never load the Redis client.
    const { openRedisLedger } = await import('../../src/budget/redis-ledger.js');
    return openRedisLedger(flags.ledger, flags.realCap === undefined ? {} : { cap: flags.realCap });
  }
  if (flags.ledger) return openLedger(flags.ledger, flags.realCap === undefined ? {} : { cap: flags.realCap });
  if (flags.realCap !== undefined) {
    logger.warn({ cap: flags.realCap }, '--real-cap without --ledger: the cap is kept in memory only; give --ledger FILE to keep it across resumes and processes');
    return createMemoryBudget(flags.realCap);
  }
  return undefined;
};
