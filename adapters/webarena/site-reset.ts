import { spawn } from 'node:child_process';
import { ResetFailedError } from '../../src/env/errors.js';
import type { Readiness, ResetRecipe } from './site-file-schema.js';
import { siteUrlOf } from './site-file.js';

/** Defaults of a reset (documented in the README's site-file table). */
export const RESET_DEFAULTS = { timeoutMs: 60_000, readyTimeoutMs: 30_000, readyIntervalMs: 200 } as const;

/** What one reset did: recorded in the episode line (`reset`) and the manifest. */
export interface ResetRecord {
  site: string;
  kind: 'command' | 'http';
  /** Why it ran: the site's `when` (`episode`, `run`), or `require_reset` for a task that asks for one. */
  reason: 'episode' | 'run' | 'require_reset';
  /** The reset itself, then the readiness check after it, in milliseconds. */
  ms: number;
  ready_ms: number;
}

const tail = (text: string, max = 400): string => {
  const trimmed = text.trim().replace(/\s+/g, ' ');
  return trimmed.length <= max ? trimmed : `…${trimmed.slice(-max)}`;
};

/** Runs the reset command: a string through /bin/sh -c, a list as argv; SITE_NAME and SITE_URL are set for it. */
const runCommand = (site: string, base: string, command: string | readonly string[], cwd: string, timeoutMs: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new ResetFailedError(site, 'interrupted before the command ran'));
      return;
    }
    const [file, args] = typeof command === 'string' ? ['/bin/sh', ['-c', command]] : [command[0] ?? '', command.slice(1)];
    // Its own process group, so a timeout or an interruption stops what the command started too.
    const child = spawn(file, args, { cwd, env: { ...process.env, SITE_NAME: site, SITE_URL: base }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const kill = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      kill();
      reject(new ResetFailedError(site, `the command did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    // An interrupted run does not wait for a long restore: the command is stopped.
    const onAbort = (): void => {
      kill();
      reject(new ResetFailedError(site, 'interrupted while the command ran'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    child.once('close', () => signal?.removeEventListener('abort', onAbort));
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new ResetFailedError(site, `the command could not start: ${error.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new ResetFailedError(site, `the command exited with ${code === null ? `signal ${signal}` : `code ${code}`}${output.trim() ? `: ${tail(output)}` : ''}`));
    });
  });

const runHttp = async (site: string, base: string, http: NonNullable<ResetRecipe['http']>, timeoutMs: number, signal?: AbortSignal): Promise<void> => {
  const url = siteUrlOf(base, http.url);
  let response: Response;
  try {
    response = await fetch(url, {
      method: http.method ?? 'POST',
      ...(http.headers ? { headers: http.headers } : {}),
      ...(http.body === undefined ? {} : { body: http.body }),
      signal: signal ? AbortSignal.any([AbortSignal.timeout(timeoutMs), signal]) : AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new ResetFailedError(site, `${http.method ?? 'POST'} ${url}: ${(error as Error).message}`);
  }
  const body = await response.text().catch(() => '');
  if (!response.ok) throw new ResetFailedError(site, `${http.method ?? 'POST'} ${url} answered ${response.status}${body.trim() ? `: ${tail(body)}` : ''}`);
};

/** Polls the readiness URL until it answers as expected; the last answer is quoted when it never does. */
export const waitReady = async (site: string, base: string, ready: Readiness | undefined, signal?: AbortSignal): Promise<void> => {
  const url = siteUrlOf(base, ready?.url ?? '/');
  const timeoutMs = ready?.timeout_ms ?? RESET_DEFAULTS.readyTimeoutMs;
  const deadline = Date.now() + timeoutMs;
  let last: string;
  for (;;) {
    try {
      const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(Math.max(100, Math.min(5000, deadline - Date.now()))) });
      const body = ready?.text === undefined ? '' : await response.text();
      const statusOk = ready?.status === undefined ? response.status >= 200 && response.status < 400 : response.status === ready.status;
      if (statusOk && (ready?.text === undefined || body.includes(ready.text))) return;
      last = `status ${response.status}${ready?.text !== undefined && !body.includes(ready.text) ? `, no "${ready.text}" in the body` : ''}`;
    } catch (error) {
      last = (error as Error).message;
    }
    if (signal?.aborted) throw new ResetFailedError(site, 'interrupted while waiting for the site to be ready');
    if (Date.now() >= deadline) throw new ResetFailedError(site, `not ready within ${timeoutMs} ms after the reset (GET ${url}: ${last})`);
    await new Promise((r) => setTimeout(r, Math.min(ready?.interval_ms ?? RESET_DEFAULTS.readyIntervalMs, Math.max(0, deadline - Date.now()))));
  }
};

/** Runs a site's reset and then its readiness check; failures are RESET_FAILED naming the site and quoting what it said. */
export const runSiteReset = async (site: string, base: string, reset: ResetRecipe & { cwd: string }, reason: ResetRecord['reason'], signal?: AbortSignal): Promise<ResetRecord> => {
  const started = performance.now();
  const timeoutMs = reset.timeout_ms ?? RESET_DEFAULTS.timeoutMs;
  if (reset.command !== undefined) await runCommand(site, base, reset.command, reset.cwd, timeoutMs, signal);
  else if (reset.http) await runHttp(site, base, reset.http, timeoutMs, signal);
  const resetDone = performance.now();
  await waitReady(site, base, reset.ready, signal);
  const ended = performance.now();
  return { site, kind: reset.command !== undefined ? 'command' : 'http', reason, ms: Math.round(resetDone - started), ready_ms: Math.round(ended - resetDone) };
};
