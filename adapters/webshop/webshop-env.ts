import type { BrowserContext, Page, Response } from 'playwright-core';
import { DEFAULT_STEP_TIMEOUT_MS, withDeadline } from '../../src/env/deadline.js';
import type { Env, TimeoutOptions } from '../../src/env/env.js';
import { ConfigInvalidError, EnvClosedError, EnvNotResetError, NavigationFailedError } from '../../src/env/errors.js';
import type { Observation, StepResult, Task } from '../../src/protocol/index.js';
import type { BrowserProvider } from '../browser/browser-provider.js';
import { isPlaywrightTimeout } from '../browser/playwright-timeout.js';
import { parseReward, parseRewardInfo } from './reward-info.js';
import { webShopObservationOf } from './webshop-snapshot-observation.js';
import { snapshotWebShopPage, type WebShopPageSnapshot } from './webshop-page-snapshot.js';
import { validateWebShopAction, WEBSHOP_DEFAULT_MAX_STEPS } from './webshop-profile.js';
import { applyResourcePolicy } from './webshop-resource-policy.js';
import { asinsAfterClick } from './webshop-text-rules.js';
import { closeContext } from '../browser/close-context.js';

export interface WebShopEnvOptions {
  /** Base URL of a WebShop: the local fixture or a real deployment, e.g. http://127.0.0.1:3000. */
  baseUrl: string;
  /** Where browser contexts come from; one fresh context per episode. */
  browser: BrowserProvider;
  /** 'text' (WebShop's simple mode, the default) or 'text_rich'. */
  observationMode?: 'text' | 'text_rich';
  /** Steps before the episode is truncated. Default 15. */
  maxSteps?: number;
  /** Let `search[...]` work on any page, as WebShop's text env does: returns to the search page first. Default false. */
  searchAnywhere?: boolean;
  /** Default per-call timeout when the call gives none. Default 30000 ms. */
  timeoutMs?: number;
  /**
   * Let pages load images, fonts, media and anything from other origins (CDN scripts, styles).
   * Default false: those are refused at once, so an unreachable CDN costs no step time.
   */
  allowExternalResources?: boolean;
  /** Makes session ids unique per episode so parallel episodes never share a server session. Default: random. */
  sessionPrefix?: string;
}

/** Default of `WebShopEnvOptions.maxSteps`: the profile's (WebShop's own 15). */
export const DEFAULT_MAX_STEPS = WEBSHOP_DEFAULT_MAX_STEPS;

let episodeCounter = 0;

/** `<prefix>-<n>-fixed_<goal>`: WebShop reads the goal from `fixed` + the last `_<N>`. */
export const webShopSessionId = (prefix: string, goalIndex: string): string => {
  episodeCounter += 1;
  return `${prefix}-${episodeCounter}-fixed_${goalIndex}`;
};

const failedResponse = async (response: Response | null, page: Page): Promise<string | undefined> => {
  if (!response || response.status() < 400) return undefined;
  const text = (await page.textContent('body').catch(() => ''))?.replace(/\s+/g, ' ').trim() ?? '';
  return `${response.status()} ${text.slice(0, 300)}`;
};

/**
 * WebShop driven through a real browser, observed exactly as WebShop's text environment observes
 * it. It relies only on what the real WebShop pages contain, so it runs unchanged against a real
 * deployment. Invalid actions are no-op steps with `last_action_error`, never exceptions.
 */
export class WebShopEnv implements Env {
  readonly source = 'real' as const;
  private context: BrowserContext | undefined;
  private page: Page | undefined;
  private current: Observation | undefined;
  private radioUrls: Record<string, string> = {};
  /** ASINs opened this episode, for text_rich (the text env's session memory). */
  private clickedAsins: ReadonlySet<string> = new Set();
  private instruction = '';
  private steps = 0;
  private done = false;
  private closed = false;
  private readonly prefix: string;

  constructor(private readonly options: WebShopEnvOptions) {
    this.prefix = options.sessionPrefix ?? `db${Math.random().toString(36).slice(2, 8)}`;
  }

  private get rich(): boolean {
    return this.options.observationMode === 'text_rich';
  }

  private get maxSteps(): number {
    return this.options.maxSteps ?? DEFAULT_MAX_STEPS;
  }

  private timeouts(options: TimeoutOptions = {}): TimeoutOptions {
    return { timeoutMs: options.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS, ...(options.signal ? { signal: options.signal } : {}) };
  }

  async reset(task: Task, options?: TimeoutOptions): Promise<Observation> {
    if (this.closed) throw new EnvClosedError('WebShop environment');
    const explicit = task.config?.session_id;
    if (explicit === undefined && !/^\d+$/.test(task.task_id)) {
      throw new ConfigInvalidError(`WebShop task_id must be a goal index (digits), got "${task.task_id}"`);
    }
    const sid = typeof explicit === 'string' ? explicit : webShopSessionId(this.prefix, task.task_id);
    // Until this reset succeeds there is no episode: a failed reset must not leave the last one.
    this.current = undefined;
    return withDeadline({ what: `reset to ${sid}`, ...this.timeouts(options), isTimeout: isPlaywrightTimeout }, async ({ remainingMs, signal }) => {
      await closeContext('WebShop browser context', this.context);
      const context = await this.options.browser.newContext();
      if (signal.aborted || this.closed) {
        // The deadline passed (or close() ran) while the context was being made: nobody owns it.
        await closeContext('WebShop browser context', context);
        throw new EnvClosedError('WebShop environment');
      }
      this.context = context;
      this.page = await this.context.newPage();
      await applyResourcePolicy(this.page, this.options.baseUrl, this.options.allowExternalResources ?? false);
      const url = `${this.options.baseUrl.replace(/\/+$/, '')}/${encodeURIComponent(sid)}`;
      const response = await this.page.goto(url, { waitUntil: 'domcontentloaded', timeout: remainingMs() });
      const failure = await failedResponse(response, this.page);
      if (failure) throw new NavigationFailedError(`WebShop answered ${url} with ${failure}`, { details: { url } });
      this.steps = 0;
      this.done = false;
      this.instruction = '';
      this.clickedAsins = new Set();
      this.current = this.observe(await snapshotWebShopPage(this.page, this.rich));
      this.instruction = this.current.instruction;
      return this.current;
    });
  }

  async step(action: string, options?: TimeoutOptions): Promise<StepResult> {
    if (this.closed) throw new EnvClosedError('WebShop environment');
    const page = this.page;
    const current = this.current;
    if (!page || !current) throw new EnvNotResetError();
    const started = performance.now();
    this.steps += 1;
    const available = current.available_actions as { has_search_bar: boolean; clickables: string[] };
    const verdict = this.done
      ? ({ valid: false, reason: 'the episode is over (the purchase is done)' } as const)
      : validateWebShopAction(action, available, { searchAnywhere: this.options.searchAnywhere ?? false });
    if (!verdict.valid) {
      const error = `INVALID_ACTION: ${verdict.reason}`;
      return {
        observation: { ...current, last_action_error: error },
        reward: 0,
        done: this.done,
        truncated: !this.done && this.steps >= this.maxSteps,
        info: { latency_ms: performance.now() - started, error },
      };
    }
    const snapshot = await withDeadline({ what: `${action} on ${page.url()}`, ...this.timeouts(options), isTimeout: isPlaywrightTimeout }, async ({ remainingMs }) => {
      if (verdict.kind === 'search') await this.search(page, verdict.query, available.has_search_bar, remainingMs);
      else await this.click(page, verdict.target, remainingMs);
      return snapshotWebShopPage(page, this.rich);
    });
    if (verdict.kind === 'click') this.clickedAsins = asinsAfterClick(this.clickedAsins, current.page_type, verdict.target);
    this.current = this.observe(snapshot);
    const done = this.current.page_type === 'done';
    const reward = done ? (parseReward(snapshot.reward) ?? 0) : 0;
    this.done = done;
    return {
      observation: this.current,
      reward,
      done,
      truncated: !done && this.steps >= this.maxSteps,
      info: {
        latency_ms: performance.now() - started,
        ...(done && snapshot.rewardInfo !== null ? { reward_components: parseRewardInfo(snapshot.rewardInfo) } : {}),
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const context = this.context;
    this.context = undefined;
    this.page = undefined;
    await closeContext('WebShop browser context', context);
  }

  private observe(snapshot: WebShopPageSnapshot): Observation {
    this.radioUrls = snapshot.radioUrls;
    return webShopObservationOf(snapshot, { rich: this.rich, instruction: this.instruction, clickedAsins: this.clickedAsins });
  }


  /** Types the query into the real search box and submits its form (a POST and a redirect). */
  private async search(page: Page, query: string, hasSearchBar: boolean, remainingMs: () => number): Promise<void> {
    if (!hasSearchBar) {
      // searchAnywhere: back to the search page through its own button, as a user would.
      await this.click(page, 'back to search', remainingMs);
    }
    await this.navigateBy(page, remainingMs, async () => {
      const submitted = (await page.evaluate(callScript(SUBMIT_SEARCH_SCRIPT, query))) as boolean;
      if (!submitted) throw new NavigationFailedError(`no search form (#search_input in a form with a submit button) on ${page.url()}`);
    });
  }

  /** Clicks what the reference calls a clickable: a `.btn`, a product link, or an option radio. */
  private async click(page: Page, target: string, remainingMs: () => number): Promise<void> {
    const dataUrl = this.radioUrls[target];
    if (dataUrl !== undefined) {
      // Option radios navigate by their data-url (the real page does it with jQuery from a CDN).
      await page.goto(new URL(dataUrl, page.url()).href, { waitUntil: 'domcontentloaded', timeout: remainingMs() });
      return;
    }
    await this.navigateBy(page, remainingMs, async () => {
      const outcome = (await page.evaluate(callScript(CLICK_SCRIPT, target))) as ClickOutcome;
      if (outcome.kind === 'missing') throw new NavigationFailedError(`nothing to click for "${target}" on ${page.url()}`);
      if (outcome.kind === 'radio') await page.goto(new URL(outcome.dataUrl, page.url()).href, { waitUntil: 'commit', timeout: remainingMs() });
    });
  }

  /**
   * The settle rule, with no fixed sleeps: the navigation the action starts has committed and its
   * DOM is ready (DOMContentLoaded).
   */
  private async navigateBy(page: Page, remainingMs: () => number, act: () => Promise<void>): Promise<void> {
    const navigated = page.waitForNavigation({ waitUntil: 'domcontentloaded', timeout: remainingMs() });
    // Marked handled at once: if the action fails first, this rejection must not go unhandled.
    navigated.catch(() => undefined);
    await act();
    await navigated;
  }
}

/**
 * Page scripts are strings (a bundler helper must never leak into serialized functions), and
 * Playwright does not pass arguments to string scripts: the argument is embedded as JSON.
 */
const callScript = (fn: string, arg: unknown): string => `(${fn})(${JSON.stringify(arg)})`;

type ClickOutcome = { kind: 'clicked' } | { kind: 'radio'; dataUrl: string } | { kind: 'missing' };

/**
 * Finds the clickable by WebShop's own definition (text of `.btn` / `.product-link`, lower-cased,
 * or a radio's value) and clicks it in the page, so its real form or link does the navigation.
 */
const CLICK_SCRIPT = `(target) => {
  const radio = [...document.querySelectorAll('input[type="radio"]')].find((el) => el.value === target);
  if (radio) return radio.dataset.url ? { kind: 'radio', dataUrl: radio.dataset.url } : { kind: 'missing' };
  const el = [...document.querySelectorAll('.btn, .product-link')].find((e) => (e.textContent || '').trim().toLowerCase() === target);
  if (!el) return { kind: 'missing' };
  el.click();
  return { kind: 'clicked' };
}`;

/** Fills `#search_input` and presses its form's submit button. */
const SUBMIT_SEARCH_SCRIPT = `(query) => {
  const input = document.querySelector('#search_input');
  const button = input && input.form && input.form.querySelector('[type="submit"]');
  if (!button) return false;
  input.value = query;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  button.click();
  return true;
}`;

