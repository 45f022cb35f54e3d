import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { ConfigInvalidError, LoginFailedError, StorageStateStaleError } from '../../src/env/errors.js';
import type { BrowserProvider } from '../browser/browser-provider.js';
import { closeContext } from '../browser/close-context.js';
import { failedCheck, locatorOf, pageSays } from './login-check.js';
import type { LoginRecipe } from './site-file-schema.js';
import { siteUrlOf } from './site-file.js';
import type { WebArenaTask } from './webarena-task-config.js';

/** A site's form login from `--login site=user:password@/path`: WebArena publishes its sites' credentials; users pass their own. */
export interface LoginCredentials {
  username: string;
  password: string;
  /** Path of the login form relative to the site's base URL, e.g. `/admin` or `/login`. */
  loginPath: string;
}

/** Site name → login recipe (a site file's, or one made from `--login`). */
export type SiteLogins = Readonly<Record<string, LoginRecipe>>;

/** `--login` without a site-file recipe: the login has worked when the page shows no password field. */
export const DEFAULT_SUCCESS_CHECK = { element_absent: { selector: 'input[type=password]' } } as const;

/** How long a login waits for the page the form submission leads to (a form that does not navigate is checked after it). */
const SUBMIT_NAVIGATION_MS = 10_000;

export const recipeFromCredentials = (creds: LoginCredentials): LoginRecipe => ({ url: creds.loginPath, username: creds.username, password: creds.password, success: DEFAULT_SUCCESS_CHECK });

/** Login recipes from recipes or `--login`-style credentials (the local sites give theirs so). */
export const toSiteLogins = (logins: Readonly<Record<string, LoginCredentials | LoginRecipe>>): Record<string, LoginRecipe> =>
  Object.fromEntries(Object.entries(logins).map(([site, login]) => [site, 'loginPath' in login ? recipeFromCredentials(login) : login]));

/** The accounts of the logins that have one (the evaluator's helpers sign in with them, e.g. the shop's REST token). */
export const accountsOf = (logins: SiteLogins): Record<string, LoginCredentials> =>
  Object.fromEntries(
    Object.entries(logins).flatMap(([site, recipe]) => (recipe.username !== undefined && recipe.password !== undefined ? [[site, { username: recipe.username, password: recipe.password, loginPath: recipe.url }]] : [])),
  );

const hasCredentials = (recipe: LoginRecipe | undefined): recipe is LoginRecipe & { username: string; password: string } => recipe?.username !== undefined && recipe.password !== undefined;

/** Fills the recipe's fields (default: the password field and the input before it), submits, and runs the success check. */
const formLogin = async (context: BrowserContext, site: string, base: string, recipe: LoginRecipe, timeoutMs: number): Promise<void> => {
  if (!hasCredentials(recipe)) throw new ConfigInvalidError(`login to ${site}: no ${recipe.username === undefined ? 'username' : 'password'} (give it in --site-file, its password_env variable, or --login ${site}=user:password)`);
  const page = await context.newPage();
  try {
    const url = siteUrlOf(base, recipe.url);
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: timeoutMs });
    const password = recipe.fields ? locatorOf(page, recipe.fields.password).first() : page.locator('input[type=password]').first();
    const user = recipe.fields ? locatorOf(page, recipe.fields.username).first() : page.locator('input[type=password]').locator('xpath=preceding::input[not(@type="hidden")][1]');
    await user.fill(recipe.username, { timeout: timeoutMs });
    await password.fill(recipe.password, { timeout: timeoutMs });
    const navigated = page.waitForNavigation({ waitUntil: 'domcontentloaded', timeout: Math.min(timeoutMs, SUBMIT_NAVIGATION_MS) }).catch(() => undefined);
    if (recipe.submit) await locatorOf(page, recipe.submit).first().click({ timeout: timeoutMs });
    else await password.press('Enter', { timeout: timeoutMs });
    await navigated;
    await page.waitForLoadState('domcontentloaded', { timeout: timeoutMs }).catch(() => undefined);
    const failed = await failedCheck(page, recipe.success);
    if (failed !== undefined) throw new LoginFailedError(site, `the success check failed after submitting ${url} (${failed})`, await pageSays(page));
  } finally {
    await page.close().catch(() => undefined);
  }
};

/** Whether a context is logged in to a site: the recipe's success check on its check URL (default the site's URL). */
const staleProblem = async (context: BrowserContext, base: string, recipe: LoginRecipe, timeoutMs: number): Promise<string | undefined> => {
  const page: Page = await context.newPage();
  try {
    await page.goto(siteUrlOf(base, recipe.check_url ?? '/'), { waitUntil: 'domcontentloaded', timeout: timeoutMs });
    return await failedCheck(page, recipe.success);
  } finally {
    await page.close().catch(() => undefined);
  }
};

/** Writes the context's storage state aside and renames it into place, so a parallel episode never reads a half-written file. */
const writeState = async (context: BrowserContext, statePath: string): Promise<void> => {
  mkdirSync(dirname(statePath), { recursive: true });
  const partial = `${statePath}.${process.pid}.${Date.now()}.tmp`;
  await context.storageState({ path: partial });
  renameSync(partial, statePath);
};

const loginAll = async (context: BrowserContext, sites: readonly string[], urls: Readonly<Record<string, string>>, logins: SiteLogins, timeoutMs: number): Promise<void> => {
  for (const site of sites) {
    const recipe = logins[site];
    const base = urls[site];
    if (recipe && base) await formLogin(context, site, base, recipe, timeoutMs);
  }
};

export interface PrepareContextOptions {
  browser: BrowserProvider;
  task: WebArenaTask;
  sites: Readonly<Record<string, string>>;
  authDir: string;
  login: SiteLogins;
  /** The run's storage states, each checked on its first use (shared by the run's envs). */
  states: StorageStates;
  timeoutMs: number;
}

/**
 * The storage states of a run: each is checked on its first use (every site of the task with a
 * login recipe must pass its success check); a stale or missing one is written anew by logging in
 * when the credentials are known, else STORAGE_STATE_STALE / CONFIG_INVALID. A failed login
 * writes nothing.
 */
export class StorageStates {
  private readonly checked = new Map<string, Promise<void>>();

  /** Makes sure the file at `statePath` holds a working login for the task's sites. */
  ensure(statePath: string, options: PrepareContextOptions): Promise<void> {
    let pending = this.checked.get(statePath);
    if (!pending) {
      pending = this.check(statePath, options);
      // A failure is not remembered: the next episode tries again (and says why again).
      void pending.catch(() => this.checked.delete(statePath));
      this.checked.set(statePath, pending);
    }
    return pending;
  }

  private async check(statePath: string, options: PrepareContextOptions): Promise<void> {
    const { task, sites, login, timeoutMs } = options;
    const withRecipe = task.sites.filter((site) => login[site] && sites[site]);
    if (existsSync(statePath)) {
      if (withRecipe.length === 0) return;
      const context = await options.browser.newContext({ storageState: statePath });
      const stale: Array<{ site: string; problem: string }> = [];
      try {
        for (const site of withRecipe) {
          const problem = await staleProblem(context, sites[site] as string, login[site] as LoginRecipe, timeoutMs);
          if (problem !== undefined) stale.push({ site, problem });
        }
      } finally {
        await closeContext('storage-state check context', context);
      }
      if (stale.length === 0) return;
      const hopeless = stale.find((s) => !hasCredentials(login[s.site]));
      if (hopeless) throw new StorageStateStaleError(hopeless.site, statePath, hopeless.problem);
    } else if (!task.sites.some((site) => hasCredentials(login[site]))) {
      throw new ConfigInvalidError(`task ${task.task_id}: storage state ${statePath} does not exist (run the login first, or give credentials)`);
    }
    const context = await options.browser.newContext();
    try {
      await loginAll(context, task.sites, sites, login, timeoutMs);
      await writeState(context, statePath);
    } finally {
      await closeContext('WebArena login context', context);
    }
  }
}

/**
 * A fresh context for a task: with its `storage_state` (checked on first use in the run, renewed by
 * logging in when stale and credentials are given); without one, logged in by the sites' recipes
 * when the task needs a login. Every login runs its success check.
 */
export const prepareWebArenaContext = async (options: PrepareContextOptions): Promise<BrowserContext> => {
  const { task } = options;
  const statePath = typeof task.storage_state === 'string' && task.storage_state ? resolve(options.authDir, task.storage_state) : undefined;
  if (statePath) {
    await options.states.ensure(statePath, options);
    return options.browser.newContext({ storageState: statePath });
  }
  const context = await options.browser.newContext();
  try {
    if (task.require_login !== false) await loginAll(context, task.sites, options.sites, options.login, options.timeoutMs);
    return context;
  } catch (error) {
    await closeContext('WebArena login context', context);
    throw error;
  }
};
