import type { Reservation } from './real-budget.js';

/** A ledger's reservation that settles once: the first commit or release wins; a failed one may be retried. */
export class SettleOnceReservation implements Reservation {
  private settling: Promise<void> | undefined;

  constructor(
    readonly id: string,
    private readonly settle: (spent: boolean) => Promise<void>,
  ) {}

  commit(): Promise<void> {
    return this.once(true);
  }

  release(): Promise<void> {
    return this.once(false);
  }

  private once(spent: boolean): Promise<void> {
    this.settling ??= this.settle(spent).catch((error: unknown) => {
      this.settling = undefined;
      throw error;
    });
    return this.settling;
  }
}
