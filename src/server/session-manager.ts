import { randomBytes } from 'node:crypto';
import { DreambridgeError, SessionClosedError, SessionNotFoundError } from '../env/errors.js';
import type { Termination } from '../protocol/index.js';
import { Session, type SessionKind } from './session.js';
import type { SessionServices } from './session-services.js';

/** Default bound on session records (released sessions whose ids are kept for a later reset). */
export const DEFAULT_MAX_SESSION_RECORDS = 16_384;

export interface SessionManagerOptions {
  /** A session idle this long (no operation) is released by the reaper. 0 = never. */
  idleTimeoutMs: number;
  /**
   * Session records kept (open and released). Past it the least recently used released record is
   * forgotten: its id then answers SESSION_CLOSED. Default 16,384 (a released record is ~1 KB: its id, counters, its last state).
   */
  maxRecords?: number;
}

/** Why sessions ended or were released, counted for /metrics. */
export interface SessionCounts {
  opened: number;
  /** Released by the idle reaper. */
  reaped: number;
  /** Released after their episode ended (stateless HTTP sessions). */
  released: number;
  /** Closed for good (by the client, a dropped connection, the server stopping). */
  closed: number;
  /** Released records forgotten past `maxRecords`. */
  forgotten: number;
}

/**
 * Holds the sessions: capacity (refusing, never queueing; see SessionLimits), lookup by key (HTTP)
 * or integer id (AgentGym), explicit close and the idle reaper. Reaping frees resources, never
 * ids: a reaped session keeps its id and record and its next reset reopens it. Ids are
 * sequential, so a closed session is told apart from one that never existed without keeping
 * anything of it; released records are bounded by `maxRecords` (least recently used go first).
 */
export class SessionManager {
  /** Open and released sessions, least recently used first (re-inserted when touched). */
  private readonly records = new Map<number, Session>();
  private nextId = 0;
  private readonly reaper: NodeJS.Timeout | undefined;
  private readonly maxRecords: number;
  readonly counts: SessionCounts = { opened: 0, reaped: 0, released: 0, closed: 0, forgotten: 0 };

  constructor(
    private readonly options: SessionManagerOptions,
    private readonly services: SessionServices,
  ) {
    this.maxRecords = options.maxRecords ?? DEFAULT_MAX_SESSION_RECORDS;
    if (options.idleTimeoutMs > 0) {
      // Checked a few times per timeout, so a session lives at most ~1.25 × the timeout idle.
      const every = Math.min(5_000, Math.max(50, Math.floor(options.idleTimeoutMs / 4)));
      this.reaper = setInterval(() => this.reap(), every);
      this.reaper.unref();
    }
  }

  /** Sessions holding an environment now (released ones do not). */
  get size(): number {
    return this.services.limits.activeSessions;
  }

  get max(): number {
    return this.services.limits.options.maxSessions;
  }

  /** Session records kept (open and released). */
  get recordCount(): number {
    return this.records.size;
  }

  /** Sessions released by the idle reaper so far. */
  get reapedCount(): number {
    return this.counts.reaped;
  }

  /** Opens a session, or fails with CAPACITY_REACHED when `maxSessions` hold an environment. */
  create(kind: SessionKind): Session {
    this.services.limits.claimSession();
    const id = this.nextId;
    this.nextId += 1;
    // A stateless HTTP session (OpenEnv's POST /reset) frees its env once its episode is over; its id stays valid.
    const onEpisodeEnded = kind === 'http' ? () => void this.release(session, 'its episode ended').catch((error: unknown) => this.services.logger.error({ err: error, session: id }, 'releasing a session failed')) : undefined;
    const session: Session = new Session(id, `s${id}-${randomBytes(6).toString('hex')}`, kind, this.services, onEpisodeEnded);
    this.records.set(id, session);
    this.counts.opened += 1;
    this.services.logger.info({ session: id, kind }, 'session opened');
    this.forgetPastBound();
    return session;
  }

  /** The session with this key (`s<id>-<random>`), else SESSION_CLOSED / SESSION_NOT_FOUND. */
  byKey(key: string): Session {
    const id = /^s(\d{1,15})-[0-9a-f]+$/.exec(key)?.[1];
    const session = id === undefined ? undefined : this.records.get(Number(id));
    if (session && session.key === key) return this.touch(session);
    if (id !== undefined && Number(id) < this.nextId && !session) throw this.closedError(key);
    throw new SessionNotFoundError(`no session ${key}`);
  }

  /** The session with this integer id (AgentGym's env_idx). */
  byId(id: number, kind?: SessionKind): Session {
    const session = this.records.get(id);
    if (session && (kind === undefined || session.kind === kind)) return this.touch(session);
    if (!session && Number.isSafeInteger(id) && id >= 0 && id < this.nextId) throw this.closedError(String(id));
    throw new SessionNotFoundError(`no environment ${id}: create one first`);
  }

  /** Real interactions spent and the cap (for the state of a connection without a session). */
  figures(): Promise<{ used: number; cap: number | null }> {
    return this.services.budget.figures();
  }

  /** Open and released sessions (released ones keep their ids). */
  list(kind?: SessionKind): Session[] {
    return [...this.records.values()].filter((s) => kind === undefined || s.kind === kind);
  }

  /** Closes a session for good and frees its slot (its envs close in the background of the call). */
  close(session: Session, termination: Termination = 'closed', reason = 'closed'): Promise<void> {
    if (this.records.get(session.id) === session) {
      this.records.delete(session.id);
      this.counts.closed += 1;
      this.services.logger.info({ session: session.id, kind: session.kind, reason }, 'session closed');
    }
    return session.close(termination, reason);
  }

  /**
   * Frees a session's envs and slot but keeps its id (the idle reaper, an ended stateless HTTP
   * episode); its next reset reopens it.
   */
  release(session: Session, reason: string, why: 'reaped' | 'released' = 'released'): Promise<void> {
    if (session.isClosed || session.isReleased || this.records.get(session.id) !== session) return Promise.resolve();
    this.counts[why] += 1;
    this.services.logger.info({ session: session.id, kind: session.kind, reason }, why === 'reaped' ? 'idle session reaped' : 'session released');
    this.touch(session);
    return session.release(reason);
  }

  /** Releases the sessions idle longer than the timeout (never one with an operation in flight). */
  reap(now = Date.now()): number {
    let count = 0;
    const seconds = Math.round(this.options.idleTimeoutMs / 100) / 10;
    for (const session of [...this.records.values()]) {
      if (session.isReleased || session.busy || now - session.lastActivity <= this.options.idleTimeoutMs) continue;
      count += 1;
      // The reaper does not wait (the envs close in the background); failures are logged.
      void this.release(session, `idle for more than ${seconds} s`, 'reaped').catch((error: unknown) =>
        this.services.logger.error({ err: error, session: session.id }, 'releasing an idle session failed'),
      );
    }
    return count;
  }

  /** Stops the reaper and closes every session (`interrupted`: the server is stopping). */
  async closeAll(termination: Termination = 'interrupted'): Promise<void> {
    if (this.reaper) clearInterval(this.reaper);
    await Promise.all([...this.records.values()].map((s) => this.close(s, termination, 'the server is stopping')));
  }

  /** Marks a record most recently used. */
  private touch(session: Session): Session {
    this.records.delete(session.id);
    this.records.set(session.id, session);
    return session;
  }

  /** Forgets the least recently used released records past the bound (open ones are never forgotten). */
  private forgetPastBound(): void {
    if (this.records.size <= this.maxRecords) return;
    for (const session of this.records.values()) {
      if (this.records.size <= this.maxRecords) return;
      if (!session.isReleased) continue;
      this.records.delete(session.id);
      this.counts.forgotten += 1;
      void session.close('closed', 'forgotten: too many session records');
    }
  }

  private closedError(key: string): DreambridgeError {
    return new SessionClosedError(`session ${key} is closed (closed by the client, forgotten past the session-record bound, or the server restarted its sessions): create a new one`);
  }
}
