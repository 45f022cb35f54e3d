import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { chromiumRemedy, findChromiumExecutable } from '../adapters/browser/executable.js';
import { defaultChromiumArgs, launchChromium } from '../adapters/browser/launch.js';
import { codeOf } from '../src/env/code-of.js';
import { BrowserNotFoundError, DreambridgeError } from '../src/env/errors.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const script = join(root, 'scripts', 'ensure-browser.mjs');

/** The environment without any explicit browser variable, plus `extra`. */
const envWith = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const name of ['DREAMBRIDGE_CHROMIUM', 'PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH', 'DREAMBRIDGE_SKIP_BROWSER']) {
    if (!(name in extra)) delete env[name];
  }
  return env;
};

const runScript = (env: NodeJS.ProcessEnv) => {
  const result = spawnSync(process.execPath, [script], { env, encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
};

const scratch = mkdtempSync(join(tmpdir(), 'dreambridge-browser-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const fakeExecutable = (...parts: string[]): string => {
  const file = join(scratch, ...parts);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, '#!/bin/sh\nexit 0\n');
  chmodSync(file, 0o755);
  return file;
};

describe('the TS finder and scripts/ensure-browser.mjs agree', () => {
  it('on this machine', () => {
    const env = envWith();
    const found = findChromiumExecutable({ env });
    // Never let the script reach its apt-get branch from a test: require a browser first.
    expect(found, chromiumRemedy()).toBeDefined();
    const { status, stdout } = runScript(env);
    expect(status).toBe(0);
    expect(stdout.trim()).toMatch(new RegExp(`: ${found?.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\s|$)`));
  });

  it("on Playwright's layout: the headless shell first for headless, the newest full Chromium for headed", () => {
    const browsers = join(scratch, 'ms-playwright');
    const env = envWith({ PLAYWRIGHT_BROWSERS_PATH: browsers });
    fakeExecutable('ms-playwright', 'chromium-1200', 'chrome-linux', 'chrome');
    const newest = fakeExecutable('ms-playwright', 'chromium-1255', 'chrome-linux64', 'chrome');
    expect(findChromiumExecutable({ env })).toBe(newest);
    expect(runScript(env).stdout).toContain(`Playwright's Chromium): ${newest}`);

    const shell = fakeExecutable('ms-playwright', 'chromium_headless_shell-1300', 'chrome-headless-shell-linux64', 'chrome-headless-shell');
    expect(findChromiumExecutable({ env })).toBe(shell);
    expect(runScript(env).stdout).toContain(shell);
    expect(findChromiumExecutable({ env, headless: false })).toBe(newest);
  });

  it('DREAMBRIDGE_CHROMIUM wins over PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH', () => {
    const ours = fakeExecutable('explicit', 'ours');
    const env = envWith({ DREAMBRIDGE_CHROMIUM: ours, PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH: fakeExecutable('explicit', 'theirs') });
    expect(findChromiumExecutable({ env })).toBe(ours);
    expect(runScript(env).stdout).toContain(`(from DREAMBRIDGE_CHROMIUM): ${ours}`);
  });
});

describe('an explicit DREAMBRIDGE_CHROMIUM that does not exist', () => {
  const env = envWith({ DREAMBRIDGE_CHROMIUM: '/nonexistent/dreambridge/chrome' });

  it('is a BrowserNotFoundError naming the variable (TS)', () => {
    expect(() => findChromiumExecutable({ env })).toThrow(BrowserNotFoundError);
    expect(() => findChromiumExecutable({ env })).toThrow(/DREAMBRIDGE_CHROMIUM=\/nonexistent\/dreambridge\/chrome/);
  });

  it('makes the script exit non-zero naming the variable', () => {
    const { status, stderr } = runScript(env);
    expect(status).not.toBe(0);
    expect(stderr).toMatch(/DREAMBRIDGE_CHROMIUM=\/nonexistent\/dreambridge\/chrome is not an executable file/);
  });

  it('is skipped entirely with DREAMBRIDGE_SKIP_BROWSER=1', () => {
    const { status, stdout } = runScript({ ...env, DREAMBRIDGE_SKIP_BROWSER: '1' });
    expect(status).toBe(0);
    expect(stdout).toContain('skipped');
  });
});

describe('launchChromium', () => {
  it('launches, renders a page and closes', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.setContent('<p>hi</p>');
      expect(await page.textContent('p')).toBe('hi');
    } finally {
      await browser.close();
    }
    expect(browser.isConnected()).toBe(false);
    expect(defaultChromiumArgs).toContain('--no-sandbox');
  });

  it('wraps a browser that cannot start in BROWSER_LAUNCH_FAILED with the cause', async () => {
    const broken = fakeExecutable('broken', 'chrome');
    writeFileSync(broken, '#!/bin/sh\necho "cannot start" >&2\nexit 3\n');
    const error: unknown = await launchChromium({ executablePath: broken, timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DreambridgeError);
    expect(codeOf(error)).toBe('BROWSER_LAUNCH_FAILED');
    expect((error as DreambridgeError).message).toContain(broken);
    expect((error as DreambridgeError).message).toContain('cannot start');
    expect((error as DreambridgeError).cause).toBeInstanceOf(Error);
  });
});
