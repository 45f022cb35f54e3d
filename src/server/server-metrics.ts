import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Source } from '../protocol/index.js';
import type { SessionLimits } from './session-limits.js';
import type { SessionManager } from './session-manager.js';

export interface ServerMetricsOptions {
  manager: () => SessionManager;
  limits: SessionLimits;
  /** Real interactions spent and the cap (null: none). */
  budget: () => Promise<{ used: number; cap: number | null }>;
  /** Browser contexts in use in the site's browser (warm ones waiting not counted), when the site can tell. */
  openContexts?: (() => number) | undefined;
}

/** Latency buckets, seconds: dream steps take ~1 ms, real ones ~10 ms to seconds. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The server's Prometheus metrics (`GET /metrics`), on a registry of its own (several servers may
 * share a process). Gauges are read when scraped; latencies are observed as they happen.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly step: Histogram<'source'>;
  private readonly reset: Histogram<'source'>;

  constructor(options: ServerMetricsOptions) {
    const registers = [this.registry];
    const { limits } = options;
    new Gauge({
      name: 'dreambridge_sessions',
      help: 'Sessions holding an environment, by the mode of their current episode (none: no episode yet)',
      labelNames: ['mode'],
      registers,
      collect() {
        const byMode = { real: 0, dream: 0, none: 0 };
        for (const session of options.manager().list()) {
          if (session.isReleased || session.isClosed) continue;
          byMode[session.mode ?? 'none'] += 1;
        }
        for (const [mode, count] of Object.entries(byMode)) this.set({ mode }, count);
      },
    });
    new Gauge({
      name: 'dreambridge_session_records',
      help: 'Session ids kept (open and released; a released one reopens on its next reset)',
      registers,
      collect() {
        this.set(options.manager().recordCount);
      },
    });
    new Gauge({ name: 'dreambridge_max_sessions', help: 'Limit on sessions holding an environment (--max-sessions)', registers, collect() { this.set(limits.options.maxSessions); } });
    new Gauge({ name: 'dreambridge_max_real_sessions', help: 'Limit on sessions holding a browser context (--max-real-sessions)', registers, collect() { this.set(limits.options.maxRealSessions); } });
    new Gauge({ name: 'dreambridge_real_sessions', help: 'Sessions holding a real env (a browser context)', registers, collect() { this.set(limits.realSessions); } });
    const counted = (name: string, help: string, key: keyof SessionManager['counts']) =>
      new Counter({
        name,
        help,
        registers,
        collect() {
          // The manager keeps the counts; the counter shows them (reset() first: it only goes up).
          this.reset();
          this.inc(options.manager().counts[key]);
        },
      });
    counted('dreambridge_sessions_opened_total', 'Sessions opened', 'opened');
    counted('dreambridge_sessions_reaped_total', 'Sessions released by the idle reaper (their ids kept)', 'reaped');
    counted('dreambridge_sessions_released_total', 'Stateless HTTP sessions released when their episode ended', 'released');
    counted('dreambridge_sessions_closed_total', 'Sessions closed for good (client close, dropped connection, server stop)', 'closed');
    counted('dreambridge_session_records_forgotten_total', 'Released session records forgotten past the record bound', 'forgotten');
    const { openContexts } = options;
    new Gauge({
      name: 'dreambridge_browser_contexts_open',
      help: "Browser contexts in use in the site's browser (warm ones waiting not counted; else those held by sessions)",
      registers,
      collect() {
        this.set(openContexts ? openContexts() : limits.realSessions);
      },
    });
    new Gauge({
      name: 'dreambridge_real_budget_used',
      help: 'Real interactions spent',
      registers,
      async collect() {
        this.set((await options.budget()).used);
      },
    });
    new Gauge({
      name: 'dreambridge_real_budget_cap',
      help: 'Real-interaction cap (-1: none)',
      registers,
      async collect() {
        this.set((await options.budget()).cap ?? -1);
      },
    });
    this.step = new Histogram({ name: 'dreambridge_step_seconds', help: 'Step latency by observation source', labelNames: ['source'], buckets: BUCKETS, registers });
    this.reset = new Histogram({ name: 'dreambridge_reset_seconds', help: 'Reset latency by observation source', labelNames: ['source'], buckets: BUCKETS, registers });
  }

  observe(what: 'reset' | 'step', source: Source, seconds: number): void {
    (what === 'step' ? this.step : this.reset).observe({ source }, seconds);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
