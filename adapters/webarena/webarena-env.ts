import type { BrowserContext, Page } from 'playwright-core';
import { DEFAULT_STEP_TIMEOUT_MS, withDeadline } from '../../src/env/deadline.js';
import type { Env, TimeoutOptions } from '../../src/env/env.js';
import { ConfigInvalidError, EnvClosedError, EnvNotResetError, StepTimeoutError } from '../../src/env/errors.js';
import type { Observation, StepResult, Task } from '../../src/protocol/index.js';
import type { BrowserProvider } from '../browser/browser-provider.js';
import { isPlaywrightTimeout } from '../browser/playwright-timeout.js';
import { ActionRefused, currentPage, isAllowedUrl, performWebArenaAction, type Tabs } from './webarena-actions.js';
import { evaluateWebArenaEpisode, type EpisodeEvaluation } from './webarena-episode-evaluation.js';
import type { WebArenaAction } from './webarena-profile-actions.js';
import { accountsOf, prepareWebArenaContext, StorageStates, toSiteLogins, type LoginCredentials } from './webarena-login.js';
import type { LoginRecipe } from './site-file-schema.js';
import type { SiteResets } from './site-resets.js';
import type { ResetRecord } from './site-reset.js';
import { observeWebArenaPage, renderCompactView, resolveElement } from './webarena-observation.js';
import { formatWebArenaAction, parseWebArenaAction, WEBARENA_DEFAULT_MAX_STEPS, webArenaPageType } from './webarena-profile.js';
import { resolvePlaceholders, startUrls } from './webarena-sites.js';
import type { WebArenaTask } from './webarena-task-config.js';
import type { Judge } from './evaluators/judge.js';
import { closeContext } from '../browser/close-context.js';

export interface WebArenaEnvOptions {
  browser: BrowserProvider;
  /** Task configs by task id (WebArena's format). */
  tasks: ReadonlyMap<string, WebArenaTask>;
  /** Site name → base URL for an episode (fixtures give each episode its own namespace). */
  sites: (episode: string) => Promise<Record<string, string>> | Record<string, string>;
  /** Where relative `storage_state` paths resolve. Default: the current directory. */
  authDir?: string;
  /** Per-site form login (a recipe with its success check, or `--login` credentials), used when a task needs a login and has no working storage state. */
  login?: Readonly<Record<string, LoginCredentials | LoginRecipe>>;
  /** The run's storage states, each checked on first use (share one between a run's envs). Default: this env's own. */
  states?: StorageStates;
  /** The run's site resets, run before each episode as the site file says. Default: none. */
  resets?: SiteResets;
  /** Page type of a URL. Default: WebArena's rule (the generalised path under its site). */
  pageTypeOf?: (url: string, sites: Readonly<Record<string, string>>) => string | undefined;
  /** Steps before truncation for one task (a site file's max_steps); undefined: `maxSteps`. */
  maxStepsFor?: (task: WebArenaTask) => number | undefined;
  /** 'tree' (WebArena's full accessibility tree, default) or 'compact' (DreamGym's budgeted view). */
  observation?: 'tree' | 'compact';
  /** Steps before truncation. Default 30 (WebArena's). */
  maxSteps?: number;
  /** Default per-call timeout. Default 30000 ms. */
  timeoutMs?: number;
  /** Clear a field before typing (WebArena does not). Default false. */
  clearBeforeType?: boolean;
  /** LLM judge for fuzzy_match; without one a normalised exact comparison is used. */
  judge?: Judge;
  /** url_match by equality instead of WebArena's substring rule. Default false. */
  strictUrl?: boolean;
}

const EARLY_STOP_REPEATS = 3;

/** The ids an observation text shows (`[12] link …` in the tree, `[12] link: …` compact). */
const idsShown = (text: string): Set<string> => new Set([...text.matchAll(/^\t*\[([^\]\s]+)\] /gm)].map((m) => m[1] ?? ''));
let episodes = 0;

/**
 * Any WebArena-style site driven through a browser: WebArena's accessibility-tree observation with
 * ids stable across steps, its whole action grammar through the element behind each id, origin
 * limits, its early-stop rules, and its evaluators scoring the episode at the end.
 */
export class WebArenaEnv implements Env {
  readonly source = 'real' as const;
  private context: BrowserContext | undefined;
  private tabs: Tabs = { pages: [], current: 0 };
  private task: WebArenaTask | undefined;
  private sites: Record<string, string> = {};
  private allowed = new Set<string>();
  private current: Observation | undefined;
  private idBase = 0;
  /** The ids of the last observation's text: the only ones an action may name. */
  private observedIds = new Set<string>();
  private steps = 0;
  private recent: string[] = [];
  private unparseable = 0;
  private finished = false;
  private closed = false;
  private resetRecords: ResetRecord[] = [];
  private readonly logins: ReturnType<typeof toSiteLogins>;
  private readonly states: StorageStates;

  constructor(private readonly options: WebArenaEnvOptions) {
    this.logins = toSiteLogins(options.login ?? {});
    this.states = options.states ?? new StorageStates();
  }

  /** The site resets that ran before the current episode, with their durations (the episode line records them). */
  resetReport(): Record<string, unknown> | undefined {
    return this.resetRecords.length === 0 ? undefined : { resets: this.resetRecords };
  }

  private timeouts(options: TimeoutOptions = {}): TimeoutOptions {
    return { timeoutMs: options.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS, ...(options.signal ? { signal: options.signal } : {}) };
  }

  async reset(task: Task, options?: TimeoutOptions): Promise<Observation> {
    if (this.closed) throw new EnvClosedError('WebArena environment');
    const config = this.options.tasks.get(task.task_id);
    if (!config) throw new ConfigInvalidError(`no WebArena task config with task_id ${task.task_id}`);
    episodes += 1;
    const episode = `ep-${process.pid}-${episodes}-${task.task_id}`;
    // Until this reset succeeds there is no episode: a failed reset must not leave the last one.
    this.current = undefined;
    this.task = undefined;
    this.resetRecords = [];
    // Site resets have their own timeouts (a restore can take longer than a step): before the reset's deadline.
    if (this.options.resets) {
      await closeContext('WebArena browser context', this.context);
      this.context = undefined;
      this.resetRecords = await this.options.resets.beforeEpisode(config, await this.options.sites(episode), options?.signal);
    }
    return withDeadline({ what: `reset to task ${task.task_id}`, ...this.timeouts(options), isTimeout: isPlaywrightTimeout }, async ({ remainingMs, signal }) => {
      await closeContext('WebArena browser context', this.context);
      this.context = undefined;
      this.sites = await this.options.sites(episode);
      this.allowed = new Set(Object.values(this.sites).map((u) => new URL(u).origin));
      const context = await prepareWebArenaContext({
        browser: this.options.browser,
        task: config,
        sites: this.sites,
        authDir: this.options.authDir ?? process.cwd(),
        login: this.logins,
        states: this.states,
        timeoutMs: remainingMs(),
      });
      if (signal.aborted || this.closed) {
        // The deadline passed (or close() ran) while the context was being made: nobody owns it.
        await closeContext('WebArena browser context', context);
        throw new EnvClosedError('WebArena environment');
      }
      this.context = context;
      this.context.on('page', (page) => {
        // Tabs the site opens itself (target=_blank, window.open) join the episode's tabs.
        if (!this.tabs.pages.includes(page)) this.tabs.pages.push(page);
      });
      this.tabs = { pages: [], current: 0 };
      for (const url of startUrls(config, this.sites)) {
        const page = await this.context.newPage();
        // The context's 'page' event may have listed it already.
        if (!this.tabs.pages.includes(page)) this.tabs.pages.push(page);
        await page.goto(url, { waitUntil: 'domcontentloaded', timeout: remainingMs() });
      }
      this.task = config;
      this.steps = 0;
      this.recent = [];
      this.unparseable = 0;
      this.finished = false;
      this.idBase = 0;
      this.current = await this.observe();
      return this.current;
    });
  }

  async step(action: string, options?: TimeoutOptions): Promise<StepResult> {
    if (this.closed) throw new EnvClosedError('WebArena environment');
    const current = this.current;
    if (!current || !this.task || !this.context) throw new EnvNotResetError();
    const started = performance.now();
    this.steps += 1;
    // Site placeholders in a goto (as reference sequences write them) mean this episode's sites.
    const parsed = parseWebArenaAction(/^\s*goto\b/i.test(action) && /__[A-Z_]+__/.test(action) ? resolvePlaceholders(action, this.sites) : action);
    const canonical = parsed.ok ? formatWebArenaAction(parsed.action) : action.trim();
    this.recent = [...this.recent, canonical].slice(-EARLY_STOP_REPEATS);
    this.unparseable = parsed.ok ? 0 : this.unparseable + 1;
    const repeated = this.recent.length === EARLY_STOP_REPEATS && this.recent.every((a) => a === canonical);
    const earlyStop = this.unparseable >= EARLY_STOP_REPEATS || repeated;
    const limit = this.steps >= (this.options.maxStepsFor?.(this.task) ?? this.options.maxSteps ?? WEBARENA_DEFAULT_MAX_STEPS);

    const timeouts = this.timeouts(options);
    const stepMs = timeouts.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
    // One deadline for the whole step: the action, the observation after it, the evaluation.
    const remaining = (): number => Math.max(1, stepMs - (performance.now() - started));
    const stop = parsed.ok && parsed.action.kind === 'stop' && !this.finished;
    const { error, observation } = await withDeadline({ what: `${canonical} on ${currentPage(this.tabs).url()}`, ...timeouts, isTimeout: isPlaywrightTimeout }, async ({ remainingMs }) => {
      let refused: string | undefined;
      if (this.finished) refused = 'INVALID_ACTION: the episode is over';
      else if (!parsed.ok) refused = `INVALID_ACTION: ${parsed.reason}`;
      // WebArena carries out the third identical action, then stops before the next one.
      else if (parsed.action.kind !== 'stop') refused = await this.act(parsed.action, remainingMs);
      // An unparseable action or a finished episode changes nothing: no need to look again.
      const seen = this.finished || !parsed.ok ? current : await this.observe();
      return { error: refused, observation: seen };
    });
    this.current = error ? { ...observation, last_action_error: error } : observation;
    const ending = !this.finished && (stop || earlyStop || limit);
    let reward = 0;
    const info: StepResult['info'] = { latency_ms: 0 };
    if (ending) {
      this.finished = true;
      const answer = stop && parsed.ok && parsed.action.kind === 'stop' ? parsed.action.answer : '';
      const evaluation = await this.evaluate(this.task, this.context, answer, { ...timeouts, timeoutMs: remaining() }, stepMs);
      reward = evaluation.score ?? 0;
      info['evaluation'] = evaluation;
      info['answer'] = answer;
      if (earlyStop && !stop) info['termination'] = 'early_stop';
    }
    if (error) info.error = error;
    info.latency_ms = performance.now() - started;
    return { observation: this.current, reward, done: stop, truncated: ending && !stop, info };
  }

  /** Carries out an action; what cannot be done here is the step's `last_action_error`. */
  private async act(action: WebArenaAction, remainingMs: () => number): Promise<string | undefined> {
    if ('id' in action && !this.observedIds.has(action.id)) {
      // An id the agent was not shown may still name some element of the page: never act on it.
      return `INVALID_ACTION: [${action.id}] is not in the current observation`;
    }
    const context = this.context;
    if (!context) throw new EnvNotResetError();
    try {
      await performWebArenaAction(action, {
        context,
        tabs: this.tabs,
        allowedOrigins: this.allowed,
        resolve: resolveElement,
        remainingMs,
        clearBeforeType: this.options.clearBeforeType ?? false,
      });
    } catch (refusal) {
      if (refusal instanceof ActionRefused) return `INVALID_ACTION: ${refusal.message}`;
      // A deadline or a dead browser ends the episode; anything else the page refused
      // (an unknown key, a detached element) is an impossible action, not a crash.
      const failure = refusal as Error;
      if (failure.name === 'TimeoutError' || /has been closed|crashed|disconnected/i.test(failure.message)) throw refusal;
      return `INVALID_ACTION: ${failure.message.split('\n')[0]}`;
    }
    return this.leaveForeignOrigin(remainingMs);
  }

  /**
   * Scores the episode in the time left to the step's deadline. An evaluation that does not
   * finish in it (a page that hangs) scores 0 with the reason: the step still ends on time.
   */
  private async evaluate(task: WebArenaTask, context: BrowserContext, answer: string, timeouts: TimeoutOptions, stepMs: number): Promise<EpisodeEvaluation> {
    const url = currentPage(this.tabs).url();
    try {
      return await withDeadline({ what: `the evaluation of task ${task.task_id}`, ...timeouts, isTimeout: isPlaywrightTimeout }, ({ remainingMs }) =>
        evaluateWebArenaEpisode({
          task,
          context,
          answer,
          url,
          sites: this.sites,
          credentials: accountsOf(this.logins),
          ...(this.options.judge ? { judge: this.options.judge } : {}),
          strictUrl: this.options.strictUrl ?? false,
          remainingMs,
        }),
      );
    } catch (error) {
      if (!(error instanceof StepTimeoutError)) throw error;
      return { task_id: task.task_id, score: 0, evaluators: [], error: `evaluation did not finish within the step's deadline (${stepMs} ms)` };
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const context = this.context;
    this.context = undefined;
    this.tabs = { pages: [], current: 0 };
    await closeContext('WebArena browser context', context);
  }

  /** A click that led outside the task's sites is undone and refused. */
  private async leaveForeignOrigin(remainingMs: () => number): Promise<string | undefined> {
    const page = currentPage(this.tabs);
    if (isAllowedUrl(page.url(), this.allowed)) return undefined;
    const foreign = page.url();
    const back = await page.goBack({ waitUntil: 'domcontentloaded', timeout: remainingMs() }).catch(() => null);
    // No history to go back to: leave the foreign page for a blank one rather than stay.
    if (back === null && !isAllowedUrl(page.url(), this.allowed)) await page.goto('about:blank', { timeout: remainingMs() }).catch(() => undefined);
    return `INVALID_ACTION: ${foreign} is outside the task's sites`;
  }

  /**
   * An action may start a navigation a moment after it returns (Enter submitting a form, a
   * script redirect): if the page's document goes away mid-observation, wait for the new one
   * and look again.
   */
  private async observeSettled(page: Page): Promise<Awaited<ReturnType<typeof observeWebArenaPage>>> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        const titles = await Promise.all(this.tabs.pages.map(async (p, i) => ({ title: await p.title().catch(() => ''), current: i === this.tabs.current })));
        return await observeWebArenaPage(page, { tabs: titles, idBase: this.idBase });
      } catch (error) {
        if (attempt >= 3 || !/context was destroyed|navigat/i.test((error as Error).message)) throw error;
        await page.waitForLoadState('domcontentloaded').catch(() => undefined);
      }
    }
  }

  private async observe(): Promise<Observation> {
    // Focus follows the page, not the index: a site closing an earlier tab shifts the indices.
    const focused = this.tabs.pages[this.tabs.current];
    this.tabs.pages = this.tabs.pages.filter((p) => !p.isClosed());
    const at = focused === undefined ? -1 : this.tabs.pages.indexOf(focused);
    this.tabs.current = at >= 0 ? at : Math.min(this.tabs.current, this.tabs.pages.length - 1);
    const page: Page = currentPage(this.tabs);
    const observed = await this.observeSettled(page);
    this.idBase = Math.max(this.idBase, observed.maxId);
    const text = this.options.observation === 'compact' ? renderCompactView(observed.nodes, observed.url) : observed.text;
    this.observedIds = idsShown(text);
    return {
      text,
      instruction: this.task?.intent ?? '',
      url: observed.url,
      page_type: this.options.pageTypeOf?.(observed.url, this.sites) ?? webArenaPageType(observed.url, this.sites),
      // Under the compact view's budget, only the ids it shows can be acted on.
      available_actions: { ids: observed.ids.filter((id) => this.observedIds.has(id)) },
      source: 'real',
    };
  }
}
