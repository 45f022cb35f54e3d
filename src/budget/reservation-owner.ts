import { hostname } from 'node:os';
import { hasCode } from '../env/code-of.js';
import type { LedgerReservation } from './ledger-format.js';

/** This machine's name, recorded in reservations: liveness can only be checked on the same machine. */
export const ownerHost = hostname();

/** Ledger instances open in this process (their tokens are recorded in their reservations). */
const liveInstances = new Set<string>();

export const registerInstance = (instance: string): void => void liveInstances.add(instance);
export const unregisterInstance = (instance: string): void => void liveInstances.delete(instance);

const isPidAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return hasCode(error, 'EPERM');
  }
};

/**
 * Whether a reservation's owner is certainly gone, so the reservation may have been sent and
 * will never be settled. Conservative: a reservation made on another machine, or by a pid that
 * is alive (even if the pid was reused by an unrelated process), is kept. A reservation with this
 * process's pid but an instance token not open here was made by an earlier process that had the
 * same pid (common in containers).
 */
export const isOwnerGone = (reservation: LedgerReservation, alive: Map<number, boolean> = new Map()): boolean => {
  if (reservation.host !== ownerHost) return false;
  if (reservation.pid === process.pid) return !liveInstances.has(reservation.instance);
  let known = alive.get(reservation.pid);
  if (known === undefined) {
    known = isPidAlive(reservation.pid);
    alive.set(reservation.pid, known);
  }
  return !known;
};
