import type { Locator, Page } from 'playwright-core';
import type { ElementTarget, PageCheck } from './site-file-schema.js';

/** A site-file element target as a Playwright locator: by role and accessible name (exact), or by CSS selector. */
export const locatorOf = (page: Page, target: ElementTarget): Locator =>
  target.selector !== undefined
    ? page.locator(target.selector)
    : page.getByRole(target.role as Parameters<Page['getByRole']>[0], target.name === undefined ? {} : { name: target.name, exact: true });

const describeTarget = (target: ElementTarget): string => (target.selector !== undefined ? `element ${target.selector}` : `${target.role ?? ''}${target.name === undefined ? '' : ` '${target.name}'`}`);

/** Visible elements matching a target (hidden ones do not count: a page "shows" what a user sees). */
const visibleCount = async (page: Page, target: ElementTarget): Promise<number> => {
  const all = await locatorOf(page, target).all();
  const visible = await Promise.all(all.map((l) => l.isVisible().catch(() => false)));
  return visible.filter(Boolean).length;
};

/**
 * Runs a success check on the page as it is now; undefined when every part of it holds, else what
 * did not (e.g. `no link 'Log Out' on the page`).
 */
export const failedCheck = async (page: Page, check: PageCheck): Promise<string | undefined> => {
  const url = page.url();
  if (check.url !== undefined && !new RegExp(check.url).test(url)) return `the URL ${url} does not match /${check.url}/`;
  if (check.text_present !== undefined || check.text_absent !== undefined) {
    const text = await page.locator('body').innerText({ timeout: 5000 }).catch(() => '');
    if (check.text_present !== undefined && !text.includes(check.text_present)) return `no "${check.text_present}" on the page`;
    if (check.text_absent !== undefined && text.includes(check.text_absent)) return `"${check.text_absent}" is on the page`;
  }
  if (check.element_present !== undefined && (await visibleCount(page, check.element_present)) === 0) return `no ${describeTarget(check.element_present)} on the page`;
  if (check.element_absent !== undefined && (await visibleCount(page, check.element_absent)) > 0) return `${describeTarget(check.element_absent)} is still on the page`;
  return undefined;
};

// Where sites put a message for the user (DokuWiki's div.error, Magento's .message, Postmill's .alert…).
const MESSAGE_SELECTOR = '[role=alert], .error, .alert, .message, .notice, .flash, .messages, #message, .msg';

const squash = (text: string, max = 240): string => {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length <= max ? one : `${one.slice(0, max)}…`;
};

/** What the page said to the user: its visible message if it shows one, else the start of its main text. */
export const pageSays = async (page: Page): Promise<string> => {
  for (const message of await page.locator(MESSAGE_SELECTOR).all()) {
    if (!(await message.isVisible().catch(() => false))) continue;
    const text = squash(await message.innerText({ timeout: 2000 }).catch(() => ''));
    if (text !== '') return text;
  }
  const main = page.locator('main, [role=main]').first();
  const region = (await main.count()) > 0 ? main : page.locator('body');
  return squash(await region.innerText({ timeout: 2000 }).catch(() => ''));
};
