import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { accessSync, constants, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from './redis-server.js';

// Debian's dokuwiki package (bookworm: 0.0.20220731) served by PHP's built-in server from php-cli:
// a real third-party web application, with a per-test copy of its data and configuration.

/** Where Debian installs DokuWiki's code and its pristine data. */
export const DOKUWIKI_CODE = '/usr/share/dokuwiki';
export const DOKUWIKI_DATA = '/var/lib/dokuwiki/data';

/** The wiki's users (DokuWiki's plain auth, `users.auth.php`). */
export const WIKI_USER = { username: 'alice', password: 'wonderland', name: 'Alice Liddell' } as const;

/** Pages the tests' tasks read and edit (DokuWiki markup), on top of Debian's own pages. */
export const WIKI_PAGES: Readonly<Record<string, string>> = {
  start: '====== Team wiki ======\n\nOur projects:\n\n  * [[projects:apollo|Apollo]]\n  * [[projects:gemini|Gemini]]\n',
  'projects:apollo': '====== Apollo ======\n\nLaunch year: 1969\n\nMembers: Ada Lovelace, Grace Hopper\n\nThe goal of Apollo is to land a crew on the Moon and bring it home.\n',
  'projects:gemini': '====== Gemini ======\n\nLaunch year: 1965\n\nMembers: Katherine Johnson\n',
};

/** php-cli and the dokuwiki package, or why they are unusable. */
export const findDokuWiki = (): { php: string } | { missing: string } => {
  const probe = spawnSync('php', ['-v'], { encoding: 'utf8' });
  if (probe.status !== 0) return { missing: 'php (Debian: apt-get install php-cli)' };
  if (!existsSync(join(DOKUWIKI_CODE, 'doku.php'))) return { missing: `${DOKUWIKI_CODE}/doku.php (Debian: apt-get install dokuwiki)` };
  try {
    accessSync(join(DOKUWIKI_DATA, 'pages'), constants.R_OK | constants.X_OK);
  } catch {
    return { missing: `read access to ${DOKUWIKI_DATA} (the package's pristine data; run as root or as www-data)` };
  }
  return { php: 'php' };
};

/** PHP and DokuWiki for a test, or undefined with a skip message; in CI (CI=true) their absence fails (`.ci/run` installs them). */
export const dokuWikiOrSkip = (what: string): { php: string } | undefined => {
  const found = findDokuWiki();
  if ('php' in found) return found;
  const message = `${what}: ${found.missing} not found`;
  if (process.env['CI'] === 'true') throw new Error(`${message}; CI must install it (.ci/run)`);
  console.log(`${message}: skipped`);
  return undefined;
};

export interface RunningWiki {
  /** `http://127.0.0.1:PORT` (DokuWiki's pages are `/doku.php?id=…`). */
  url: string;
  /** The test's folder: conf/, data/ (what the wiki serves), pristine/ (what a reset restores), router.php. */
  dir: string;
  dataDir: string;
  /** The reset command (a site file's `reset.command`), run in `dir`: the data directory restored from the pristine copy. */
  resetCommand: string;
  /** Page source as it is now on disk (`projects:apollo` → data/pages/projects/apollo.txt). */
  pageFile(id: string): string;
  stop(): Promise<void>;
}

const phpString = (value: string): string => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The router PHP's built-in server runs for every request: DokuWiki's scripts with this test's configuration, static files as they are. */
const routerPhp = (confDir: string): string => `<?php
// DokuWiki reads its configuration from DOKU_CONF (Debian's preload.php honours a value set before it).
define('DOKU_CONF', ${phpString(`${confDir}/`)});
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if ($path === '/' || $path === '') $path = '/doku.php';
$file = ${phpString(DOKUWIKI_CODE)} . $path;
if (!str_ends_with($path, '.php')) return false;
if (!is_file($file)) { http_response_code(404); echo 'not found'; return true; }
chdir(dirname($file));
$_SERVER['SCRIPT_NAME'] = $path;
$_SERVER['PHP_SELF'] = $path;
$_SERVER['SCRIPT_FILENAME'] = $file;
require $file;
`;

const localPhp = (dataDir: string): string => `<?php
$conf['title'] = 'Team Wiki';
$conf['savedir'] = ${phpString(dataDir)};
$conf['basedir'] = '/';
$conf['userewrite'] = 0;
$conf['useacl'] = 1;
$conf['superuser'] = '@admin';
$conf['disableactions'] = 'register';
$conf['license'] = '0';
$conf['breadcrumbs'] = 0;
$conf['dontlog'] = 'debug';
`;

const pagePath = (root: string, id: string): string => join(root, 'pages', ...id.split(':')) + '.txt';

/**
 * Starts DokuWiki on a free loopback port with its own copy of the data (Debian's pages plus
 * WIKI_PAGES) and configuration (user WIKI_USER, reads for everyone, edits for users), and waits
 * until it answers. The reset command restores data/ from pristine/ (with the cookie salt, so a
 * login survives a reset as it would a container restore).
 */
export const startDokuWiki = async (php: string): Promise<RunningWiki> => {
  const dir = mkdtempSync(join(tmpdir(), 'dreambridge-wiki-'));
  const confDir = join(dir, 'conf');
  const pristine = join(dir, 'pristine');
  const dataDir = join(dir, 'data');
  mkdirSync(confDir);
  cpSync(DOKUWIKI_DATA, pristine, { recursive: true });
  for (const [id, text] of Object.entries(WIKI_PAGES)) {
    mkdirSync(dirname(pagePath(pristine, id)), { recursive: true });
    writeFileSync(pagePath(pristine, id), text);
  }
  // DokuWiki makes these on first login; made here so the pristine copy keeps logins valid across resets.
  for (const salt of ['_htcookiesalt', '_htcookiesalt2']) writeFileSync(join(pristine, 'meta', salt), randomBytes(24).toString('hex'));
  cpSync(pristine, dataDir, { recursive: true });
  writeFileSync(join(confDir, 'local.php'), localPhp(dataDir));
  writeFileSync(join(confDir, 'acl.auth.php'), '# <?php exit()?>\n*\t@ALL\t1\n*\t@user\t8\n');
  const md5 = createHash('md5').update(WIKI_USER.password).digest('hex');
  writeFileSync(join(confDir, 'users.auth.php'), `# <?php exit()?>\n${WIKI_USER.username}:${md5}:${WIKI_USER.name}:alice@example.org:user\n`);
  writeFileSync(join(confDir, 'plugins.local.php'), "<?php\n$plugins['testing'] = 0;\n");
  writeFileSync(join(dir, 'router.php'), routerPhp(confDir));

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // Several workers: a page load fetches the page, its CSS and its JS at once. Its own process
  // group, so stopping it stops the workers too (they outlive a signal to the parent alone).
  const child: ChildProcess = spawn(php, ['-S', `127.0.0.1:${port}`, '-t', DOKUWIKI_CODE, join(dir, 'router.php')], {
    cwd: dir,
    env: { ...process.env, PHP_CLI_SERVER_WORKERS: '4' },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`php -S exited with ${child.exitCode}: ${stderr}`);
    const ok = await fetch(`${url}/doku.php?id=start`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      signalGroup('SIGKILL');
      throw new Error(`DokuWiki did not answer on ${url} within 15 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    dir,
    dataDir,
    resetCommand: 'rm -rf data && cp -a pristine data',
    pageFile: (id) => pagePath(dataDir, id),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        signalGroup('SIGTERM');
        const timer = setTimeout(() => signalGroup('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
      signalGroup('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
