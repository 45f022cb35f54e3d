import { chromium, type Browser } from 'playwright-core';
import { BrowserLaunchFailedError } from '../../src/env/errors.js';
import { requireChromiumExecutable } from './executable.js';

/** Flags for a quiet, reproducible Chromium that runs as root and in containers without a GPU. */
export const defaultChromiumArgs: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface LaunchChromiumOptions {
  /** Browser binary. Default: `findChromiumExecutable()` (env vars, Playwright's, system). */
  executablePath?: string;
  /** Default: true. */
  headless?: boolean;
  /** Launch timeout. Default: 30000 ms. */
  timeoutMs?: number;
  /** Added after `defaultChromiumArgs`. Default: none. */
  args?: string[];
}

export const defaultLaunchTimeoutMs = 30_000;

/** Playwright's first line plus the last lines the browser wrote to stderr (the full error stays the cause). */
const summarize = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error);
  const lines = error.message.split('\n');
  const stderr = lines.filter((line) => /^\[pid=\d+\]\[err\]/.test(line)).slice(-5)
    .map((line) => `  ${line.replace(/^\[pid=\d+\]\[err\] ?/, '')}`);
  return [lines[0] ?? '', ...(stderr.length > 0 ? ['browser stderr:', ...stderr] : [])].join('\n');
};

/**
 * Launches a local Chromium through playwright-core. A missing browser throws
 * `BrowserNotFoundError` (with the remedy); a browser that fails to start throws
 * `BrowserLaunchFailedError` (code `BROWSER_LAUNCH_FAILED`) and the Playwright error as `cause`.
 */
export const launchChromium = async (options: LaunchChromiumOptions = {}): Promise<Browser> => {
  const executablePath = requireChromiumExecutable({
    ...(options.executablePath === undefined ? {} : { executablePath: options.executablePath }),
    headless: options.headless ?? true,
  });
  const timeoutMs = options.timeoutMs ?? defaultLaunchTimeoutMs;
  try {
    return await chromium.launch({
      executablePath,
      headless: options.headless ?? true,
      timeout: timeoutMs,
      args: [...defaultChromiumArgs, ...(options.args ?? [])],
    });
  } catch (error) {
    throw new BrowserLaunchFailedError(`could not launch Chromium at ${executablePath}: ${summarize(error)}`, {
      cause: error,
      details: { executablePath, timeoutMs },
    });
  }
};
