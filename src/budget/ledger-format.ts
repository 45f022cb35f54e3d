import { z } from 'zod';
import { ConfigInvalidError, DreambridgeError, LedgerInvalidError } from '../env/errors.js';

export const ledgerFormat = 'dreambridge-ledger';
export const ledgerFormatVersion = 1;

/** An open reservation: who holds it, so reservations of dead processes can be told apart. */
export const ledgerReservationSchema = z.object({
  id: z.string().min(1),
  pid: z.number().int().positive(),
  host: z.string(),
  /** Random token of the ledger instance that made it (tells a reused pid from its predecessor). */
  instance: z.string(),
  at: z.string(),
});

const count = z.number().int().nonnegative();

/**
 * The ledger file (plain JSON). `reserved` is always `reservations.length` and is stored so a
 * reader of the file sees cap, used and reserved side by side. Unknown keys are kept.
 */
export const ledgerDataSchema = z
  .looseObject({
    format: z.literal(ledgerFormat),
    version: z.literal(ledgerFormatVersion),
    cap: count,
    used: count,
    reserved: count,
    /** How many of `used` are reservations folded in from processes that died holding them. */
    lost_in_flight: count,
    reservations: z.array(ledgerReservationSchema),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .refine((data) => data.reserved === data.reservations.length, {
    message: 'field "reserved" differs from the number of open reservations',
  });

export type LedgerReservation = z.infer<typeof ledgerReservationSchema>;
export type LedgerData = z.infer<typeof ledgerDataSchema>;

export const newLedgerData = (cap: number, now = new Date().toISOString()): LedgerData => ({
  format: ledgerFormat,
  version: ledgerFormatVersion,
  cap,
  used: 0,
  reserved: 0,
  lost_in_flight: 0,
  reservations: [],
  created_at: now,
  updated_at: now,
});

const ledgerInvalid = (path: string, problem: string, cause?: unknown): DreambridgeError =>
  new LedgerInvalidError(`ledger ${path}: ${problem}`, { cause, details: { path } });

/** Parses a ledger file's text; anything but a valid ledger is LEDGER_INVALID naming the file (never reset silently). */
export const parseLedger = (path: string, text: string): LedgerData => {
  if (text.trim() === '') throw ledgerInvalid(path, 'the file is empty');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw ledgerInvalid(path, `not valid JSON (${(error as Error).message})`, error);
  }
  const version = (json as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && version > ledgerFormatVersion) {
    throw ledgerInvalid(path, `format version ${version} was written by a newer dreambridge (this one reads version ${ledgerFormatVersion})`);
  }
  const parsed = ledgerDataSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `field "${issue.path.join('.')}": ` : '';
    throw ledgerInvalid(path, `not a dreambridge ledger: ${where}${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
};

/** Checks a cap given by a caller: a non-negative integer. */
export const checkCap = (cap: number, what: string): number => {
  if (!Number.isSafeInteger(cap) || cap < 0) {
    throw new ConfigInvalidError(`${what}: the cap must be a non-negative integer, got ${cap}`);
  }
  return cap;
};
