import { CapacityReachedError } from '../env/errors.js';

export interface SessionLimitsOptions {
  /** Sessions holding an environment at once (dream and real). */
  maxSessions: number;
  /** Sessions holding a real env (a browser context) at once. */
  maxRealSessions: number;
}

/**
 * The two capacity counters of a server: sessions holding an environment (cheap for dreams) and
 * those holding a browser context (real). Claims refuse at once with CAPACITY_REACHED naming the
 * limit and its value, never queue. Released sessions and their ids cost no slot.
 */
export class SessionLimits {
  private sessions = 0;
  private real = 0;

  constructor(readonly options: SessionLimitsOptions) {}

  get activeSessions(): number {
    return this.sessions;
  }

  get realSessions(): number {
    return this.real;
  }

  claimSession(): void {
    const max = this.options.maxSessions;
    if (this.sessions >= max) {
      throw new CapacityReachedError(`all ${max} sessions are in use (--max-sessions ${max}): close one (or wait for the idle reaper) and retry`, {
        details: { limit: 'max_sessions', max_sessions: max, active_sessions: this.sessions },
      });
    }
    this.sessions += 1;
  }

  releaseSession(): void {
    this.sessions = Math.max(0, this.sessions - 1);
  }

  claimReal(): void {
    const max = this.options.maxRealSessions;
    if (this.real >= max) {
      throw new CapacityReachedError(`all ${max} real sessions (browser contexts) are in use (--max-real-sessions ${max}): close one, reset in mode "dream", or retry later`, {
        details: { limit: 'max_real_sessions', max_real_sessions: max, real_sessions: this.real },
      });
    }
    this.real += 1;
  }

  releaseReal(): void {
    this.real = Math.max(0, this.real - 1);
  }
}
