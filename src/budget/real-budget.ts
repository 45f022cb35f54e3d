/** What a budget holds right now. `remaining` = max(0, cap − used − reserved). */
export interface LedgerSnapshot {
  cap: number;
  used: number;
  reserved: number;
  remaining: number;
  /** The ledger file, for budgets kept in one (absent for in-memory budgets). */
  path?: string;
  updated_at: string;
}

/** One real interaction reserved before it is sent; settle it exactly once (later calls are no-ops). */
export interface Reservation {
  readonly id: string;
  /** the interaction was sent: it is spent */
  commit(): Promise<void>;
  /** never sent: give it back */
  release(): Promise<void>;
}

/**
 * The real-interaction budget: every real step reserves one interaction before acting and
 * commits it afterwards, so a crash can only under-spend, never overshoot.
 */
export interface RealBudget {
  /** Reserves one real interaction; throws RealBudgetExhaustedError (code REAL_BUDGET_EXHAUSTED) when used + reserved >= cap. */
  reserve(options?: { signal?: AbortSignal }): Promise<Reservation>;
  snapshot(): Promise<LedgerSnapshot>;
  close(): Promise<void>;
}
