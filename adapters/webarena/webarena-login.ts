import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { ConfigInvalidError } from '../../src/env/errors.js';
import type { BrowserProvider } from '../browser/browser-provider.js';
import type { WebArenaTask } from './webarena-task-config.js';
import { closeContext } from '../browser/close-context.js';

/** A site's form login: WebArena publishes its sites' credentials; users pass their own. */
export interface LoginCredentials {
  username: string;
  password: string;
  /** Path of the login form relative to the site's base URL, e.g. `/admin` or `/login`. */
  loginPath: string;
}

export interface PrepareContextOptions {
  browser: BrowserProvider;
  task: WebArenaTask;
  sites: Readonly<Record<string, string>>;
  authDir: string;
  login: Readonly<Record<string, LoginCredentials>>;
  timeoutMs: number;
}

/** Fills the first username-like and the password field, submits, and checks we left the form. */
const formLogin = async (context: BrowserContext, site: string, base: string, creds: LoginCredentials, timeoutMs: number): Promise<void> => {
  const page = await context.newPage();
  try {
    const url = `${base.replace(/\/+$/, '')}${creds.loginPath}`;
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: timeoutMs });
    const user = page.locator('input[type=password]').locator('xpath=preceding::input[not(@type="hidden")][1]');
    await user.fill(creds.username, { timeout: timeoutMs });
    await page.locator('input[type=password]').first().fill(creds.password, { timeout: timeoutMs });
    await Promise.all([page.waitForNavigation({ waitUntil: 'domcontentloaded', timeout: timeoutMs }), page.locator('input[type=password]').first().press('Enter')]);
    if ((await page.locator('input[type=password]').count()) > 0 && page.url().startsWith(url)) {
      throw new ConfigInvalidError(`login to ${site} at ${url} failed: still on the login form (check the credentials)`);
    }
  } finally {
    await page.close();
  }
};

/**
 * A fresh context for a task: with its `storage_state` when the file exists; else logged in by the
 * per-site login hook (writing the storage state where the task expects it); a storage state that
 * is missing with no way to log in is an error naming the path.
 */
export const prepareWebArenaContext = async (options: PrepareContextOptions): Promise<BrowserContext> => {
  const { task, sites } = options;
  const statePath = typeof task.storage_state === 'string' && task.storage_state ? resolve(options.authDir, task.storage_state) : undefined;
  if (statePath && existsSync(statePath)) return options.browser.newContext({ storageState: statePath });
  const needLogin = task.require_login !== false && task.sites.some((site) => options.login[site]);
  if (statePath && !needLogin) {
    throw new ConfigInvalidError(`task ${task.task_id}: storage state ${statePath} does not exist (run the login first, or give credentials)`);
  }
  const context = await options.browser.newContext();
  try {
    if (needLogin) {
      for (const site of task.sites) {
        const creds = options.login[site];
        const base = sites[site];
        if (creds && base) await formLogin(context, site, base, creds, options.timeoutMs);
      }
      if (statePath) {
        // Written aside and renamed, so a parallel episode never reads a half-written file.
        mkdirSync(dirname(statePath), { recursive: true });
        const partial = `${statePath}.${process.pid}.${Date.now()}.tmp`;
        await context.storageState({ path: partial });
        renameSync(partial, statePath);
      }
    }
    return context;
  } catch (error) {
    await closeContext('WebArena login context', context);
    throw error;
  }
};
