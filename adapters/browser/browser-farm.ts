import { pino, type Logger } from 'pino';
import type { Browser, BrowserContext, BrowserContextOptions } from 'playwright-core';
import { cleanUp } from '../../src/env/clean-up.js';
import { hasCode } from '../../src/env/code-of.js';
import { BrowserFarmUnavailableError, ConfigInvalidError, EnvClosedError } from '../../src/env/errors.js';
import { createBrowserProvider, type BrowserProvider } from './browser-provider.js';
import { closeContext } from './close-context.js';

/** Default of `BrowserFarmOptions.connectTimeoutMs`. */
export const DEFAULT_FARM_CONNECT_TIMEOUT_MS = 10_000;
/** Default of `BrowserFarmOptions.retryInitialMs`: the first retry of a dead endpoint, 1 s after it failed. */
export const DEFAULT_FARM_RETRY_INITIAL_MS = 1000;
/** Default of `BrowserFarmOptions.retryMaxMs`: retries back off by doubling up to every 30 s. */
export const DEFAULT_FARM_RETRY_MAX_MS = 30_000;
/** Default of `BrowserFarmOptions.unavailableAfterMs`: how long a context request waits for an endpoint when all are down. */
export const DEFAULT_FARM_UNAVAILABLE_AFTER_MS = 20_000;

export interface BrowserFarmOptions {
  /** `ws://` endpoints of Playwright browser servers (`chromium.launchServer`, `npx playwright run-server`). */
  endpoints: readonly string[];
  /** Longest a connection attempt to one endpoint may take. Default 10000 ms. */
  connectTimeoutMs?: number;
  /** A dead endpoint is retried (in the background, never by an episode) this long after it failed… Default 1000 ms. */
  retryInitialMs?: number;
  /** …then after twice as long at each further failure, up to this. Default 30000 ms. */
  retryMaxMs?: number;
  /** With every endpoint down, `newContext` waits for one to come back until this long after the last went down, then throws BROWSER_FARM_UNAVAILABLE. Default 20000 ms. */
  unavailableAfterMs?: number;
  /** Where the farm says an endpoint went down or came back. Default: pino on stderr. */
  logger?: Pick<Logger, 'warn' | 'info'>;
}

/** One endpoint as the farm sees it. */
export interface BrowserEndpointStats {
  endpoint: string;
  state: 'up' | 'down';
  /** Contexts open on it now (being made included): what the farm balances. */
  open: number;
  /** Contexts made on it so far. */
  contexts: number;
  /** Times it was taken out. */
  downs: number;
  /** Background retries made while it was down (failed or not). */
  retries: number;
  lastError?: string;
}

/**
 * A `BrowserProvider` over several Playwright browser servers: each context goes to the live
 * endpoint with the fewest open contexts (ties: the fewest made, then list order). An endpoint
 * whose connection fails or whose browser disconnects is taken out at once (its open contexts die
 * with it, the episodes using them fail and the run goes on) and retried in the background after
 * 1 s, 2 s, 4 s… up to 30 s; when a retry connects it is back. With every endpoint down a request
 * waits up to `unavailableAfterMs` for one to return, then fails with BROWSER_FARM_UNAVAILABLE.
 */
export interface BrowserFarm extends BrowserProvider {
  /**
   * A provider for one generation of the worker cluster: contexts come from the farm and its
   * `close()` leaves the farm's connections open (they are the farm's to close), so restarting a
   * generation keeps what the farm knows about dead endpoints.
   */
  view(): BrowserProvider;
  stats(): BrowserEndpointStats[];
}

interface Endpoint {
  readonly url: string;
  readonly index: number;
  readonly provider: BrowserProvider;
  state: 'up' | 'down';
  open: number;
  contexts: number;
  downs: number;
  retries: number;
  /** Failures since it was last up: the backoff exponent. */
  failures: number;
  lastError?: string;
  timer?: NodeJS.Timeout;
  readonly browsers: WeakSet<Browser>;
}

let fallbackLogger: Pick<Logger, 'warn' | 'info'> | undefined;
const defaultLogger = (): Pick<Logger, 'warn' | 'info'> =>
  (fallbackLogger ??= pino({ name: 'browser-farm', level: process.env['DREAMBRIDGE_LOG_LEVEL'] ?? 'info' }, pino.destination(2)));

const firstLine = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';

/** A failure of the endpoint (no connection, or its browser gone), not of the request (e.g. bad context options). */
const isEndpointFailure = (error: unknown): boolean =>
  hasCode(error, 'BROWSER_LAUNCH_FAILED') || /has been closed|Connection closed|Browser closed|disconnected|Target closed|WebSocket|ECONNREFUSED|ECONNRESET|socket hang up/i.test(firstLine(error));

/** Backoff of the n-th consecutive failure (n ≥ 1): initial · 2^(n−1), at most max. */
export const farmRetryDelayMs = (failures: number, initialMs: number, maxMs: number): number => Math.min(maxMs, initialMs * 2 ** Math.max(0, failures - 1));

/** Least open contexts first; ties: fewest made, then list order. */
const byLoad = (a: Endpoint, b: Endpoint): number => a.open - b.open || a.contexts - b.contexts || a.index - b.index;

const positive = (value: number, name: string): number => {
  if (!Number.isFinite(value) || value <= 0) throw new ConfigInvalidError(`${name} must be a positive number of milliseconds, got ${value}`);
  return value;
};

export const createBrowserFarm = (options: BrowserFarmOptions): BrowserFarm => {
  if (options.endpoints.length === 0) throw new ConfigInvalidError('a browser farm needs at least one endpoint');
  const connectTimeoutMs = positive(options.connectTimeoutMs ?? DEFAULT_FARM_CONNECT_TIMEOUT_MS, 'connectTimeoutMs');
  const retryInitialMs = positive(options.retryInitialMs ?? DEFAULT_FARM_RETRY_INITIAL_MS, 'retryInitialMs');
  const retryMaxMs = positive(options.retryMaxMs ?? DEFAULT_FARM_RETRY_MAX_MS, 'retryMaxMs');
  const unavailableAfterMs = positive(options.unavailableAfterMs ?? DEFAULT_FARM_UNAVAILABLE_AFTER_MS, 'unavailableAfterMs');
  const logger = options.logger ?? defaultLogger();
  const endpoints: Endpoint[] = options.endpoints.map((url, index) => ({
    url,
    index,
    provider: createBrowserProvider({ kind: 'ws', wsEndpoint: url, timeoutMs: connectTimeoutMs }),
    state: 'up',
    open: 0,
    contexts: 0,
    downs: 0,
    retries: 0,
    failures: 0,
    browsers: new WeakSet(),
  }));
  /** Requests waiting for an endpoint to come back. */
  const waiters = new Set<() => void>();
  /** When the last live endpoint went down (undefined while one is up): the wait for one to return counts from here. */
  let allDownSince: number | undefined;
  let closed = false;

  const wakeWaiters = (): void => {
    for (const wake of [...waiters]) wake();
  };

  const scheduleRetry = (endpoint: Endpoint): void => {
    const delayMs = farmRetryDelayMs(endpoint.failures, retryInitialMs, retryMaxMs);
    endpoint.timer = setTimeout(() => void retry(endpoint), delayMs);
    // A pending retry must not keep a finished process alive.
    endpoint.timer.unref();
  };

  const takeOut = (endpoint: Endpoint, error: unknown): void => {
    if (closed || endpoint.state === 'down') return;
    endpoint.state = 'down';
    endpoint.downs += 1;
    endpoint.failures = 1;
    endpoint.lastError = firstLine(error);
    if (endpoints.every((e) => e.state === 'down')) allDownSince = Date.now();
    logger.warn(
      { endpoint: endpoint.url, retry_in_ms: farmRetryDelayMs(1, retryInitialMs, retryMaxMs), error: endpoint.lastError, up: endpoints.filter((e) => e.state === 'up').length },
      'browser endpoint down: taken out of the farm, retried later',
    );
    scheduleRetry(endpoint);
  };

  /** A background reconnect of a dead endpoint; an episode never pays for it. */
  const retry = async (endpoint: Endpoint): Promise<void> => {
    if (closed) return;
    endpoint.retries += 1;
    try {
      await endpoint.provider.version();
    } catch (error) {
      if (closed) return;
      endpoint.failures += 1;
      endpoint.lastError = firstLine(error);
      scheduleRetry(endpoint);
      return;
    }
    if (closed) return;
    endpoint.state = 'up';
    endpoint.failures = 0;
    allDownSince = undefined;
    logger.info({ endpoint: endpoint.url, downs: endpoint.downs, retries: endpoint.retries }, 'browser endpoint back in the farm');
    wakeWaiters();
  };

  /** Counts the context against its endpoint until it closes; a browser that disconnects takes its endpoint out. */
  const track = (endpoint: Endpoint, context: BrowserContext): void => {
    endpoint.contexts += 1;
    context.once('close', () => {
      endpoint.open -= 1;
    });
    const browser = context.browser();
    if (browser && !endpoint.browsers.has(browser)) {
      endpoint.browsers.add(browser);
      browser.once('disconnected', () => takeOut(endpoint, new Error('the browser disconnected')));
    }
  };

  /** Resolves when an endpoint comes back, or after `ms`. */
  const waitForEndpoint = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      waiters.add(done);
    });

  const unavailable = (): BrowserFarmUnavailableError =>
    new BrowserFarmUnavailableError(
      `all ${endpoints.length} browser endpoints are down: ${endpoints.map((e) => `${e.url} (${e.lastError ?? 'down'})`).join('; ')}; none came back within ${unavailableAfterMs} ms`,
      { details: { endpoints: endpoints.map((e) => ({ endpoint: e.url, error: e.lastError, downs: e.downs, retries: e.retries })) } },
    );

  const newContext = async (contextOptions?: BrowserContextOptions): Promise<BrowserContext> => {
    for (;;) {
      if (closed) throw new EnvClosedError('browser farm');
      for (const endpoint of endpoints.filter((e) => e.state === 'up').sort(byLoad)) {
        // Counted before the await, so concurrent requests spread instead of all picking the same one.
        endpoint.open += 1;
        let context: BrowserContext;
        try {
          context = await endpoint.provider.newContext(contextOptions);
        } catch (error) {
          endpoint.open -= 1;
          if (!isEndpointFailure(error)) throw error;
          takeOut(endpoint, error);
          continue;
        }
        track(endpoint, context);
        if (closed) {
          await closeContext('browser context of a closed farm', context);
          throw new EnvClosedError('browser farm');
        }
        return context;
      }
      // A long outage fails every later request at once, not each after a wait of its own.
      const left = (allDownSince ?? Date.now()) + unavailableAfterMs - Date.now();
      if (left <= 0) throw unavailable();
      await waitForEndpoint(left);
    }
  };

  /** Name and version of the first endpoint that answers; every endpoint is tried at once, so dead ones are known before the first episode. */
  const version = async (): Promise<string> => {
    if (closed) throw new EnvClosedError('browser farm');
    const live = endpoints.filter((e) => e.state === 'up');
    const answers = await Promise.allSettled(live.map((e) => e.provider.version()));
    let found: string | undefined;
    answers.forEach((answer, i) => {
      const endpoint = live[i] as Endpoint;
      if (answer.status === 'fulfilled') found ??= answer.value;
      else takeOut(endpoint, answer.reason);
    });
    if (found !== undefined) return found;
    if (endpoints.every((e) => e.state === 'down')) throw new BrowserFarmUnavailableError(`no browser endpoint answered: ${endpoints.map((e) => `${e.url} (${e.lastError ?? 'down'})`).join('; ')}`);
    // Some came back meanwhile: ask again.
    return version();
  };

  const launches = (): number => endpoints.reduce((sum, e) => sum + e.provider.launches, 0);

  const farm: BrowserFarm = {
    newContext,
    version,
    get launches() {
      return launches();
    },
    view: () => ({
      newContext,
      version,
      // Connections are the farm's: a cluster generation counts none of its own.
      launches: 0,
      close: () => Promise.resolve(),
    }),
    stats: () =>
      endpoints.map((e) => ({ endpoint: e.url, state: e.state, open: e.open, contexts: e.contexts, downs: e.downs, retries: e.retries, ...(e.lastError === undefined ? {} : { lastError: e.lastError }) })),
    async close() {
      if (closed) return;
      closed = true;
      logger.info({ endpoints: farm.stats() }, 'browser farm closed: contexts per endpoint');
      for (const e of endpoints) clearTimeout(e.timer);
      wakeWaiters();
      // Disconnects from each browser server (their browsers keep running: they are not ours).
      await Promise.all(endpoints.map((e) => cleanUp(`browser endpoint ${e.url}`, () => e.provider.close())));
    },
  };
  return farm;
};
