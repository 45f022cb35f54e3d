import type { Logger } from 'pino';
import { cleanUp } from '../../src/env/clean-up.js';

/**
 * Everything started for a run or a server, closed in reverse order whatever happens. A close that
 * fails is logged with what it was closing and the rest still close: nothing is swallowed silently
 * (the run's own error, if any, stays the one thrown).
 */
export class Resources {
  private readonly closers: Array<{ what: string; close: () => Promise<unknown> }> = [];

  constructor(private readonly logger: Logger) {}

  add(what: string, close: () => Promise<unknown>): void {
    this.closers.push({ what, close });
  }

  async close(): Promise<void> {
    for (const { what, close } of this.closers.splice(0).reverse()) await cleanUp(what, close, this.logger);
  }
}
