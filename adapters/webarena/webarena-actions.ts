import type { BrowserContext, ElementHandle, Page } from 'playwright-core';
import type { WebArenaAction } from './webarena-profile-actions.js';
import { cleanUp } from '../../src/env/clean-up.js';
import { isPlaywrightTimeout } from '../browser/playwright-timeout.js';

/** The tabs of an episode: WebArena's observation lists them, `tab_focus` switches between them. */
export interface Tabs {
  pages: Page[];
  current: number;
}

export interface ActionContext {
  context: BrowserContext;
  tabs: Tabs;
  /** Origins the task may visit (its sites); anything else is refused. */
  allowedOrigins: ReadonlySet<string>;
  resolve(page: Page, id: string): Promise<ElementHandle | null>;
  remainingMs(): number;
  /** Clear a field before typing (WebArena does not). */
  clearBeforeType: boolean;
}

/** An action that cannot be carried out here: a step with `last_action_error`, not an exception. */
export class ActionRefused extends Error {}

/**
 * How long an element may take to become actionable (attached, visible, stable, enabled,
 * receiving pointer events) before the action is refused: short, so that an element hidden by
 * CSS (a skip link off screen, a visually hidden heading) is a step with `last_action_error`
 * in about a second, not a step timeout.
 */
export const ACTIONABILITY_WAIT_MS = 1000;

/** What Playwright's log says was wrong with the element, e.g. "element is not visible". */
const actionabilityProblem = (message: string): string => {
  const found = message.split('\n').map((line) => line.trim().replace(/^-\s*/, '')).filter((line) => /element is not|outside of the viewport|intercepts pointer events|not attached/.test(line));
  return found.at(-1) ?? 'not visible or not receiving pointer events';
};

const tagOf = async (handle: ElementHandle): Promise<unknown> => (await handle.getProperty('tagName')).jsonValue();

/**
 * Waits at most ACTIONABILITY_WAIT_MS for the element to accept the action: a trial of the
 * click or hover (no effect). A select is chosen from, not clicked: it needs to be visible and
 * enabled only (sites often cover a native select with a styled one).
 */
const ensureActionable = async (ctx: ActionContext, handle: ElementHandle, id: string, kind: 'click' | 'hover' | 'type'): Promise<void> => {
  const wait = Math.min(ACTIONABILITY_WAIT_MS, ctx.remainingMs());
  try {
    if (kind === 'hover') await handle.hover({ trial: true, timeout: wait });
    else if (kind === 'type' && (await tagOf(handle)) === 'SELECT') {
      const until = performance.now() + wait;
      await handle.waitForElementState('visible', { timeout: wait });
      await handle.waitForElementState('enabled', { timeout: Math.max(1, until - performance.now()) });
    } else await handle.click({ trial: true, timeout: wait });
  } catch (error) {
    // Less time than the wait left: this is the step's deadline, not the element.
    if (wait < ACTIONABILITY_WAIT_MS || !isPlaywrightTimeout(error)) throw error;
    throw new ActionRefused(`element [${id}] is not actionable within ${ACTIONABILITY_WAIT_MS} ms: ${actionabilityProblem((error as Error).message)}`);
  }
};

export const currentPage = (tabs: Tabs): Page => {
  const page = tabs.pages[tabs.current];
  if (!page) throw new ActionRefused('no open tab');
  return page;
};

const originOf = (url: string): string | undefined => {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
};

export const isAllowedUrl = (url: string, allowed: ReadonlySet<string>): boolean => {
  const origin = originOf(url);
  return url === 'about:blank' || (origin !== undefined && allowed.has(origin));
};

const element = async (ctx: ActionContext, id: string): Promise<ElementHandle> => {
  const handle = await ctx.resolve(currentPage(ctx.tabs), id);
  if (!handle) throw new ActionRefused(`no element [${id}] on this page`);
  return handle;
};

/** Settle: a navigation the action started has committed and its DOM is ready. */
const settle = async (page: Page, ctx: ActionContext): Promise<void> => {
  await page.waitForLoadState('domcontentloaded', { timeout: ctx.remainingMs() });
};

const typeInto = async (ctx: ActionContext, handle: ElementHandle, text: string, enter: boolean): Promise<void> => {
  const page = currentPage(ctx.tabs);
  // A property read, not a serialized function: nothing of the bundler leaks into the page.
  const tag = await tagOf(handle);
  if (tag === 'SELECT') {
    // Typing into a select chooses the option with that label (or value).
    const byLabel = await handle.selectOption({ label: text }, { timeout: ctx.remainingMs() }).catch(() => []);
    if (byLabel.length === 0) await handle.selectOption(text, { timeout: ctx.remainingMs() });
  } else {
    await handle.click({ timeout: ctx.remainingMs() });
    if (ctx.clearBeforeType) await handle.fill('', { timeout: ctx.remainingMs() });
    await page.keyboard.type(text);
  }
  // Pressed on the element so Playwright waits for the navigation a form submit starts.
  if (enter) await handle.press('Enter', { timeout: ctx.remainingMs() });
};

/**
 * Carries out one action through the element behind its id (not coordinates). Throws
 * ActionRefused for what is impossible here; browser errors propagate.
 */
export const performWebArenaAction = async (action: WebArenaAction, ctx: ActionContext): Promise<void> => {
  const { tabs } = ctx;
  switch (action.kind) {
    case 'click':
    case 'hover':
    case 'type': {
      const handle = await element(ctx, action.id);
      try {
        await ensureActionable(ctx, handle, action.id, action.kind);
        if (action.kind === 'click') await handle.click({ timeout: ctx.remainingMs() });
        else if (action.kind === 'hover') await handle.hover({ timeout: ctx.remainingMs() });
        else if (action.kind === 'type') await typeInto(ctx, handle, action.text, action.enter);
      } finally {
        // Handles pin their elements in the page until disposed: long episodes would pile them up.
        await cleanUp('element handle', () => handle.dispose());
      }
      break;
    }
    case 'press':
      await currentPage(tabs).keyboard.press(action.keys);
      break;
    case 'scroll': {
      const page = currentPage(tabs);
      const height = page.viewportSize()?.height ?? 720;
      await page.mouse.wheel(0, action.direction === 'down' ? height : -height);
      return;
    }
    case 'new_tab': {
      const page = await ctx.context.newPage();
      if (!tabs.pages.includes(page)) tabs.pages.push(page);
      tabs.current = tabs.pages.indexOf(page);
      return;
    }
    case 'tab_focus':
      if (!tabs.pages[action.index]) throw new ActionRefused(`no tab ${action.index} (open tabs: 0 to ${tabs.pages.length - 1})`);
      tabs.current = action.index;
      await currentPage(tabs).bringToFront();
      return;
    case 'close_tab': {
      const page = currentPage(tabs);
      if (tabs.pages.length === 1) throw new ActionRefused('cannot close the last tab');
      tabs.pages.splice(tabs.current, 1);
      tabs.current = Math.max(0, tabs.current - 1);
      await page.close();
      return;
    }
    case 'goto':
      if (!isAllowedUrl(action.url, ctx.allowedOrigins)) {
        throw new ActionRefused(`goto ${action.url} is outside the task's sites (${[...ctx.allowedOrigins].join(', ')})`);
      }
      await currentPage(tabs).goto(action.url, { waitUntil: 'domcontentloaded', timeout: ctx.remainingMs() });
      return;
    case 'go_back':
      await currentPage(tabs).goBack({ waitUntil: 'domcontentloaded', timeout: ctx.remainingMs() });
      return;
    case 'go_forward':
      await currentPage(tabs).goForward({ waitUntil: 'domcontentloaded', timeout: ctx.remainingMs() });
      return;
    case 'stop':
      return;
  }
  await settle(currentPage(tabs), ctx);
};
