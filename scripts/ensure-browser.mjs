#!/usr/bin/env node
// postinstall: make sure a Chromium exists that playwright-core can launch. No browser is ever
// downloaded from the network here. Order (keep in step with adapters/browser/executable.ts):
//   1. DREAMBRIDGE_CHROMIUM, then PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH (must exist if set)
//   2. Playwright's own browsers, headless shell first (PLAYWRIGHT_BROWSERS_PATH or ms-playwright)
//   3. a system Chromium/Chrome (Debian's headless shell first, fixed paths, then PATH)
// None found: as root on Debian/Ubuntu, `apt-get install chromium`; elsewhere print the remedy
// and exit 0. DREAMBRIDGE_SKIP_BROWSER=1 skips the whole step.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';

const ENV_VARS = ['DREAMBRIDGE_CHROMIUM', 'PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH'];
const PLAYWRIGHT_LAYOUTS = [
  ['chromium-', ['chrome-linux64/chrome', 'chrome-linux-arm64/chrome', 'chrome-linux/chrome',
    'chrome-mac-arm64/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing',
    'chrome-mac-x64/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing']],
  ['chromium_headless_shell-', ['chrome-headless-shell-linux64/chrome-headless-shell',
    'chrome-headless-shell-linux-arm64/chrome-headless-shell', 'chrome-linux/headless_shell',
    'chrome-headless-shell-mac-arm64/chrome-headless-shell', 'chrome-headless-shell-mac-x64/chrome-headless-shell']],
];
// Headless shells first (about 2.5x faster per navigation than full Chromium's headless mode).
const SYSTEM_HEADLESS_SHELLS = ['/usr/lib/chromium/chromium-headless-shell', '/usr/lib/chromium/headless_shell'];
const SYSTEM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable', '/snap/bin/chromium'];
const SYSTEM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
const tag = 'dreambridge:';

class SetupError extends Error {}

const isExecutable = (file) => {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
};

const onPath = (name, env) =>
  (env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, name)).find(isExecutable);

const playwrightBrowsersDir = (env) => {
  const configured = env.PLAYWRIGHT_BROWSERS_PATH;
  if (configured === '0') {
    try {
      return join(dirname(createRequire(import.meta.url).resolve('playwright-core')), '.local-browsers');
    } catch {
      return undefined;
    }
  }
  if (configured) return isAbsolute(configured) ? configured : resolve(env.INIT_CWD || process.cwd(), configured);
  const cache = process.platform === 'darwin' ? join(homedir(), 'Library', 'Caches')
    : process.platform === 'win32' ? (env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'))
    : (env.XDG_CACHE_HOME || join(homedir(), '.cache'));
  return join(cache, 'ms-playwright');
};

const findPlaywrightChromium = (env) => {
  const root = playwrightBrowsersDir(env);
  let entries;
  try {
    entries = root === undefined ? [] : readdirSync(root);
  } catch {
    return undefined;
  }
  for (const [prefix, layouts] of [...PLAYWRIGHT_LAYOUTS].reverse()) {
    const revisions = entries.filter((e) => e.startsWith(prefix) && /^\d+$/.test(e.slice(prefix.length)))
      .sort((a, b) => Number(b.slice(prefix.length)) - Number(a.slice(prefix.length)));
    for (const dir of revisions) {
      const found = layouts.map((rel) => join(root, dir, rel)).find(isExecutable);
      if (found) return found;
    }
  }
  return undefined;
};

/** @returns {{ path: string, source: string } | undefined} */
const findChromium = (env = process.env) => {
  for (const name of ENV_VARS) {
    const value = env[name];
    if (!value) continue;
    const file = resolve(value);
    if (!isExecutable(file)) throw new SetupError(`${name}=${value} is not an executable file (${file})`);
    return { path: file, source: `from ${name}` };
  }
  const playwright = findPlaywrightChromium(env);
  if (playwright) return { path: playwright, source: "Playwright's Chromium" };
  const system = SYSTEM_HEADLESS_SHELLS.find(isExecutable) ?? SYSTEM_PATHS.find(isExecutable) ?? SYSTEM_NAMES.map((n) => onPath(n, env)).find(Boolean);
  return system ? { path: system, source: 'system' } : undefined;
};

const readOsRelease = () => {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    return Object.fromEntries([...text.matchAll(/^(\w+)=["']?([^"'\n]*)["']?$/gm)].map((m) => [m[1], m[2]]));
  } catch {
    return {};
  }
};

const distroOf = (os) => {
  const ids = `${os.ID ?? ''} ${os.ID_LIKE ?? ''}`.split(/\s+/);
  return ids.includes('ubuntu') ? 'ubuntu' : ids.includes('debian') ? 'debian' : undefined;
};

/** Ubuntu's chromium packages are stubs that run the snap: say so plainly. */
const isSnap = (file) => {
  try {
    if (realpathSync(file).startsWith('/snap/')) return true;
    return statSync(file).size < 16_384 && readFileSync(file, 'utf8').includes('/snap/');
  } catch {
    return false;
  }
};

const APT_INSTALL = 'DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends';

const remedy = (distro = distroOf(readOsRelease()), root = process.getuid?.() === 0) => {
  const sudo = root ? '' : 'sudo ';
  const lines = ['No Chromium found for Playwright. Fix it with one of:'];
  if (distro === 'debian') lines.push(`  ${sudo}apt-get update && ${sudo}${APT_INSTALL} chromium`);
  if (distro === 'ubuntu') lines.push(`  ${sudo}apt-get update && ${sudo}${APT_INSTALL} chromium-browser   (Ubuntu ships it as a snap)`);
  lines.push('  npx playwright-core install chromium   (downloads from Playwright\'s CDN, where the network allows it)');
  lines.push('  export DREAMBRIDGE_CHROMIUM=/path/to/chrome   (any Chromium or Chrome already on this machine)');
  return lines.join('\n');
};

const run = (command, args) => {
  console.error(`${tag} $ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, {
    stdio: ['ignore', 2, 2],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return result.status === 0;
};

const aptInstall = (distro) => {
  console.error(`${tag} no Chromium found; installing ${distro === 'ubuntu' ? 'Ubuntu' : 'Debian'}'s with apt-get (this can take a few minutes)`);
  const started = Date.now();
  if (!run('apt-get', ['update'])) throw new SetupError(`apt-get update failed (see above)\n${remedy(distro, true)}`);
  const packages = distro === 'ubuntu' ? ['chromium', 'chromium-browser'] : ['chromium'];
  const installed = packages.some((pkg) => run('apt-get', ['install', '-y', '--no-install-recommends', pkg]));
  // The headless shell is what headless runs use when present; without it the full browser works, slower.
  if (installed && distro === 'debian' && !run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium-headless-shell'])) {
    console.error(`${tag} chromium-headless-shell could not be installed; the full Chromium will be used (slower)`);
  }
  if (!installed) throw new SetupError(`apt-get install ${packages.join(' / ')} failed (see above)\n${remedy(distro, true)}`);
  const found = findChromium();
  if (!found) throw new SetupError(`apt-get reported success but no Chromium binary was found in ${SYSTEM_PATHS.join(', ')}`);
  console.error(`${tag} apt-get finished in ${Math.round((Date.now() - started) / 1000)} s`);
  return found;
};

const describe = (found) =>
  `${tag} Chromium for Playwright (${found.source}): ${found.path}${
    found.source === 'system' && isSnap(found.path) ? '  [this is the snap: it may not start in containers or without snapd; see DREAMBRIDGE_CHROMIUM]' : ''}`;

const main = () => {
  if (process.env.DREAMBRIDGE_SKIP_BROWSER === '1') {
    console.log(`${tag} DREAMBRIDGE_SKIP_BROWSER=1: browser check skipped`);
    return 0;
  }
  const found = findChromium();
  const distro = distroOf(readOsRelease());
  const root = process.getuid?.() === 0;
  if (found) {
    // A system Chromium without Debian's headless shell: add the shell when we can (a few seconds).
    if (found.source === 'system' && !SYSTEM_HEADLESS_SHELLS.includes(found.path) && process.platform === 'linux' && distro === 'debian' && root && isExecutable('/usr/bin/apt-get')
      && (run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium-headless-shell'])
        || (run('apt-get', ['update']) && run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium-headless-shell'])))) {
      console.log(describe(findChromium() ?? found));
      return 0;
    }
    console.log(describe(found));
    return 0;
  }
  if (process.platform === 'linux' && distro && root && (isExecutable('/usr/bin/apt-get') || onPath('apt-get', process.env))) {
    console.log(describe(aptInstall(distro)));
    return 0;
  }
  console.log(`${tag} ${remedy(distro, root)}\n${tag} continuing without a browser (set DREAMBRIDGE_SKIP_BROWSER=1 to silence this)`);
  return 0;
};

try {
  process.exitCode = main();
} catch (error) {
  if (!(error instanceof SetupError)) throw error;
  console.error(`${tag} error: ${error.message}\n${tag} (set DREAMBRIDGE_SKIP_BROWSER=1 to skip this step)`);
  process.exitCode = 1;
}
