import { randomBytes } from 'node:crypto';
import { CapacityReachedError, DreambridgeError, SessionClosedError, SessionNotFoundError } from '../env/errors.js';
import type { Termination } from '../protocol/index.js';
import { Session, type SessionKind } from './session.js';
import type { SessionServices } from './session-services.js';

export interface SessionManagerOptions {
  /** Sessions open at once; past it, opening one fails with CAPACITY_REACHED. */
  maxSessions: number;
  /** A session idle this long (no operation) is closed by the reaper (`termination: "closed"`). 0 = never. */
  idleTimeoutMs: number;
}

/**
 * Holds the open sessions: capacity (refusing, never queueing), lookup by key (HTTP) or integer
 * id (AgentGym), explicit close and the idle reaper. Ids are sequential, so a closed session is
 * told apart from one that never existed without keeping anything of it.
 */
export class SessionManager {
  private readonly open = new Map<number, Session>();
  private nextId = 0;
  private readonly reaper: NodeJS.Timeout | undefined;
  private reaped = 0;

  constructor(
    private readonly options: SessionManagerOptions,
    private readonly services: SessionServices,
  ) {
    if (options.idleTimeoutMs > 0) {
      // Checked a few times per timeout, so a session lives at most ~1.25 × the timeout idle.
      const every = Math.min(5_000, Math.max(50, Math.floor(options.idleTimeoutMs / 4)));
      this.reaper = setInterval(() => this.reap(), every);
      this.reaper.unref();
    }
  }

  get size(): number {
    return this.open.size;
  }

  get max(): number {
    return this.options.maxSessions;
  }

  /** Sessions closed by the idle reaper so far. */
  get reapedCount(): number {
    return this.reaped;
  }

  /** Opens a session, or fails with CAPACITY_REACHED when `maxSessions` are open. */
  create(kind: SessionKind): Session {
    if (this.open.size >= this.options.maxSessions) {
      throw new CapacityReachedError(`all ${this.options.maxSessions} sessions are in use: close one (or wait for the idle reaper) and retry`, {
        details: { active_sessions: this.open.size, max_sessions: this.options.maxSessions },
      });
    }
    const id = this.nextId;
    this.nextId += 1;
    const session = new Session(id, `s${id}-${randomBytes(6).toString('hex')}`, kind, this.services);
    this.open.set(id, session);
    return session;
  }

  /** The open session with this key (`s<id>-<random>`), else SESSION_CLOSED / SESSION_NOT_FOUND. */
  byKey(key: string): Session {
    const id = /^s(\d{1,15})-[0-9a-f]+$/.exec(key)?.[1];
    const session = id === undefined ? undefined : this.open.get(Number(id));
    if (session && session.key === key) return session;
    if (id !== undefined && Number(id) < this.nextId && !session) throw this.closedError(key);
    throw new SessionNotFoundError(`no session ${key}`);
  }

  /** The open session with this integer id (AgentGym's env_idx). */
  byId(id: number, kind?: SessionKind): Session {
    const session = this.open.get(id);
    if (session && (kind === undefined || session.kind === kind)) return session;
    if (!session && Number.isSafeInteger(id) && id >= 0 && id < this.nextId) throw this.closedError(String(id));
    throw new SessionNotFoundError(`no environment ${id}: create one first`);
  }

  /** Real interactions spent and the cap (for the state of a connection without a session). */
  figures(): Promise<{ used: number; cap: number | null }> {
    return this.services.budget.figures();
  }

  list(kind?: SessionKind): Session[] {
    return [...this.open.values()].filter((s) => kind === undefined || s.kind === kind);
  }

  /** Closes a session and frees its slot at once (its envs close in the background of the call). */
  close(session: Session, termination: Termination = 'closed', reason?: string): Promise<void> {
    this.open.delete(session.id);
    return session.close(termination, reason);
  }

  /** Closes the sessions idle longer than the timeout (never one with an operation in flight). */
  reap(now = Date.now()): number {
    let count = 0;
    for (const session of this.open.values()) {
      if (session.busy || now - session.lastActivity <= this.options.idleTimeoutMs) continue;
      count += 1;
      this.reaped += 1;
      const seconds = Math.round(this.options.idleTimeoutMs / 100) / 10;
      this.services.logger.info({ session: session.id, kind: session.kind }, 'idle session reaped');
      // The reaper does not wait for the close (it frees the env in the background); failures are logged.
      void this.close(session, 'closed', `idle for more than ${seconds} s`).catch((error: unknown) =>
        this.services.logger.error({ err: error, session: session.id }, 'closing an idle session failed'),
      );
    }
    return count;
  }

  /** Stops the reaper and closes every session (`interrupted`: the server is stopping). */
  async closeAll(termination: Termination = 'interrupted'): Promise<void> {
    if (this.reaper) clearInterval(this.reaper);
    await Promise.all([...this.open.values()].map((s) => this.close(s, termination, 'the server is stopping')));
  }

  private closedError(key: string): DreambridgeError {
    return new SessionClosedError(`session ${key} is closed (closed by the client, idle too long, or the server restarted its sessions): reset or create a new one`);
  }
}
