import { accessSync, constants, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { BrowserNotFoundError } from '../../src/env/errors.js';

// The same search as scripts/ensure-browser.mjs (which cannot import this file at postinstall
// time); tests/browser-executable.test.ts checks that both pick the same executable.

/** Checked in this order; an explicit variable that names no executable file is an error. */
export const chromiumEnvVars = ['DREAMBRIDGE_CHROMIUM', 'PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH'] as const;

const playwrightLayouts: ReadonlyArray<readonly [prefix: string, executables: readonly string[]]> = [
  ['chromium-', ['chrome-linux64/chrome', 'chrome-linux-arm64/chrome', 'chrome-linux/chrome',
    'chrome-mac-arm64/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing',
    'chrome-mac-x64/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing']],
  ['chromium_headless_shell-', ['chrome-headless-shell-linux64/chrome-headless-shell',
    'chrome-headless-shell-linux-arm64/chrome-headless-shell', 'chrome-linux/headless_shell',
    'chrome-headless-shell-mac-arm64/chrome-headless-shell', 'chrome-headless-shell-mac-x64/chrome-headless-shell']],
];

/**
 * Headless shells (Chromium's old headless mode, a separate binary) first: about 2.5× faster per
 * navigation than full Chromium's new headless mode on a 2-core machine, which is why Playwright
 * also prefers its own headless shell. Used only for headless launches.
 */
const systemHeadlessShells = ['/usr/lib/chromium/chromium-headless-shell', '/usr/lib/chromium/headless_shell'];
const systemPaths = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable', '/snap/bin/chromium'];
const systemNames = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

export interface FindChromiumOptions {
  /** Explicit executable; wins over everything. Default: none. */
  executablePath?: string;
  /** Environment to read the variables and PATH from. Default: `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** A headless launch may use a headless shell (preferred); a headed one may not. Default: true. */
  headless?: boolean;
}

const isExecutable = (file: string): boolean => {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
};

const checked = (value: string, origin: string): string => {
  const file = resolve(value);
  if (!isExecutable(file)) throw new BrowserNotFoundError(`${origin}=${value} is not an executable file (${file})`);
  return file;
};

/** Where Playwright keeps its downloaded browsers, as playwright-core itself computes it. */
export const playwrightBrowsersDir = (env: NodeJS.ProcessEnv = process.env): string | undefined => {
  const configured = env['PLAYWRIGHT_BROWSERS_PATH'];
  if (configured === '0') {
    try {
      return join(dirname(createRequire(import.meta.url).resolve('playwright-core')), '.local-browsers');
    } catch {
      return undefined;
    }
  }
  if (configured) return isAbsolute(configured) ? configured : resolve(env['INIT_CWD'] || process.cwd(), configured);
  const cache = process.platform === 'darwin' ? join(homedir(), 'Library', 'Caches')
    : process.platform === 'win32' ? (env['LOCALAPPDATA'] ?? join(homedir(), 'AppData', 'Local'))
    : (env['XDG_CACHE_HOME'] || join(homedir(), '.cache'));
  return join(cache, 'ms-playwright');
};

const findPlaywrightChromium = (env: NodeJS.ProcessEnv, headless: boolean): string | undefined => {
  const root = playwrightBrowsersDir(env);
  let entries: string[];
  try {
    entries = root === undefined ? [] : readdirSync(root);
  } catch {
    return undefined;
  }
  // Headless: the shell first; headed: never the shell.
  const layouts = headless ? [...playwrightLayouts].reverse() : playwrightLayouts.filter(([prefix]) => prefix === 'chromium-');
  for (const [prefix, executables] of layouts) {
    const revisions = entries
      .filter((entry) => entry.startsWith(prefix) && /^\d+$/.test(entry.slice(prefix.length)))
      .sort((a, b) => Number(b.slice(prefix.length)) - Number(a.slice(prefix.length)));
    for (const dir of revisions) {
      const found = executables.map((rel) => join(root as string, dir, rel)).find(isExecutable);
      if (found) return found;
    }
  }
  return undefined;
};

const onPath = (name: string, env: NodeJS.ProcessEnv): string | undefined =>
  (env['PATH'] ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, name)).find(isExecutable);

/**
 * The Chromium that playwright-core should launch: `executablePath`, then `DREAMBRIDGE_CHROMIUM`,
 * `PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH`, Playwright's own browsers, then the system's; for a
 * headless launch a headless shell comes before a full Chromium at each of the last two. Returns undefined when there is none; throws `BrowserNotFoundError`
 * when an explicit path or variable names something that is not an executable file.
 */
export const findChromiumExecutable = (options: FindChromiumOptions = {}): string | undefined => {
  const env = options.env ?? process.env;
  if (options.executablePath) return checked(options.executablePath, 'executablePath');
  for (const name of chromiumEnvVars) {
    const value = env[name];
    if (value) return checked(value, name);
  }
  const headless = options.headless ?? true;
  return findPlaywrightChromium(env, headless)
    ?? (headless ? systemHeadlessShells.find(isExecutable) : undefined)
    ?? systemPaths.find(isExecutable)
    ?? systemNames.map((name) => onPath(name, env)).find((file) => file !== undefined);
};

const linuxDistro = (): 'debian' | 'ubuntu' | undefined => {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    const field = (key: string) => new RegExp(`^${key}=["']?([^"'\\n]*)`, 'm').exec(text)?.[1] ?? '';
    const ids = `${field('ID')} ${field('ID_LIKE')}`.split(/\s+/);
    return ids.includes('ubuntu') ? 'ubuntu' : ids.includes('debian') ? 'debian' : undefined;
  } catch {
    return undefined;
  }
};

/** The exact commands that fix a missing browser on this machine (same text as the script). */
export const chromiumRemedy = (): string => {
  const distro = process.platform === 'linux' ? linuxDistro() : undefined;
  const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
  const apt = `${sudo}apt-get update && ${sudo}DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends`;
  return [
    'No Chromium found for Playwright. Fix it with one of:',
    ...(distro === 'debian' ? [`  ${apt} chromium`] : []),
    ...(distro === 'ubuntu' ? [`  ${apt} chromium-browser   (Ubuntu ships it as a snap)`] : []),
    "  npx playwright-core install chromium   (downloads from Playwright's CDN, where the network allows it)",
    '  export DREAMBRIDGE_CHROMIUM=/path/to/chrome   (any Chromium or Chrome already on this machine)',
  ].join('\n');
};

/** Like `findChromiumExecutable`, but a missing browser is a `BrowserNotFoundError` with the remedy. */
export const requireChromiumExecutable = (options: FindChromiumOptions = {}): string => {
  const found = findChromiumExecutable(options);
  if (found === undefined) throw new BrowserNotFoundError(chromiumRemedy());
  return found;
};
