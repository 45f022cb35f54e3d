import type { Agent } from 'undici';
import { DEFAULT_STEP_TIMEOUT_MS, withDeadline } from '../../src/env/deadline.js';
import type { Env, TimeoutOptions } from '../../src/env/env.js';
import { ConfigInvalidError, EnvClosedError, EnvNotResetError, NavigationFailedError, ScriptRequiredError } from '../../src/env/errors.js';
import type { Observation, StepResult, Task } from '../../src/protocol/index.js';
import { parseHtmlDocument, selectOne, textContent, type HtmlDocument } from '../http/html-document.js';
import type { HttpNavigation } from '../http/html-form-submission.js';
import { HttpSession } from '../http/http-session.js';
import { scriptRenderedReason } from '../http/script-rendered.js';
import { parseReward, parseRewardInfo } from './reward-info.js';
import { webShopClickNavigation, webShopSearchNavigation } from './webshop-http-actions.js';
import { webShopObservationOf } from './webshop-snapshot-observation.js';
import { snapshotWebShopHtml, WEBSHOP_SERVER_MARKERS } from './webshop-html-snapshot.js';
import type { WebShopPageSnapshot } from './webshop-page-snapshot.js';
import { validateWebShopAction, WEBSHOP_DEFAULT_MAX_STEPS } from './webshop-profile.js';
import { asinsAfterClick } from './webshop-text-rules.js';
import { webShopSessionId, type WebShopEnvOptions } from './webshop-env.js';

export interface WebShopHttpEnvOptions extends Omit<WebShopEnvOptions, 'browser'> {
  /** The run's keep-alive agent (adapters/http/http-session.ts createHttpAgent). */
  agent: Agent;
}

interface Loaded {
  doc: HtmlDocument;
  snapshot: WebShopPageSnapshot;
}

/**
 * WebShop over plain HTTP, no browser: each action makes the request the page's own control
 * makes (the search form's POST and its redirect, a button's form submission, a link's or an
 * option's GET), cookies are kept per episode, and the observation is computed from the HTML by
 * the browser path's rules. The equivalence check (webshop-transport-conformance.ts) proves the
 * two give the same transitions; a page that needs its scripts is refused (SCRIPT_REQUIRED).
 */
export class WebShopHttpEnv implements Env {
  readonly source = 'real' as const;
  private session: HttpSession | undefined;
  private page: Loaded | undefined;
  private current: Observation | undefined;
  private instruction = '';
  /** Products opened this episode (the rich text marks them, as the text env remembers them). */
  private clickedAsins: ReadonlySet<string> = new Set();
  private steps = 0;
  private done = false;
  private closed = false;
  private readonly prefix: string;

  constructor(private readonly options: WebShopHttpEnvOptions) {
    this.prefix = options.sessionPrefix ?? `db${Math.random().toString(36).slice(2, 8)}`;
  }

  private get rich(): boolean {
    return this.options.observationMode === 'text_rich';
  }

  private get maxSteps(): number {
    return this.options.maxSteps ?? WEBSHOP_DEFAULT_MAX_STEPS;
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
    this.current = undefined;
    this.page = undefined;
    return withDeadline({ what: `reset to ${sid}`, ...this.timeouts(options) }, async ({ signal }) => {
      // A fresh session per episode, as the browser path takes a fresh context: no cookies carry over.
      const session = new HttpSession(this.options.agent);
      this.session = session;
      const url = `${this.options.baseUrl.replace(/\/+$/, '')}/${encodeURIComponent(sid)}`;
      const fetched = await session.navigate({ method: 'GET', url }, signal);
      if (fetched.status >= 400) {
        const doc = parseHtmlDocument(fetched.html, fetched.url);
        const body = selectOne(doc, 'body');
        const text = (body ? textContent(body) : '').replace(/\s+/g, ' ').trim();
        throw new NavigationFailedError(`WebShop answered ${url} with ${fetched.status} ${text.slice(0, 300)}`, { details: { url } });
      }
      const loaded = this.load(fetched.html, fetched.url);
      if (signal.aborted || this.closed) throw new EnvClosedError('WebShop environment');
      this.steps = 0;
      this.done = false;
      this.instruction = '';
      this.clickedAsins = new Set();
      this.page = loaded;
      this.current = this.observe(loaded.snapshot);
      this.instruction = this.current.instruction;
      return this.current;
    });
  }

  async step(action: string, options?: TimeoutOptions): Promise<StepResult> {
    if (this.closed) throw new EnvClosedError('WebShop environment');
    const page = this.page;
    const current = this.current;
    const session = this.session;
    if (!page || !current || !session) throw new EnvNotResetError();
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
    const loaded = await withDeadline({ what: `${action} on ${page.doc.url}`, ...this.timeouts(options) }, async ({ signal }) => {
      let at = page;
      if (verdict.kind === 'search') {
        // searchAnywhere: back to the search page through its own button, as the browser path does.
        if (!available.has_search_bar) at = await this.go(session, webShopClickNavigation(at.doc, at.snapshot.radioUrls, 'back to search'), signal);
        return this.go(session, webShopSearchNavigation(at.doc, verdict.query), signal);
      }
      return this.go(session, webShopClickNavigation(at.doc, at.snapshot.radioUrls, verdict.target), signal);
    });
    if (this.closed) throw new EnvClosedError('WebShop environment');
    if (verdict.kind === 'click') this.clickedAsins = asinsAfterClick(this.clickedAsins, current.page_type, verdict.target);
    this.page = loaded;
    const snapshot = loaded.snapshot;
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

  close(): Promise<void> {
    // Nothing to release but the episode's cookies: the sockets belong to the run's agent.
    this.closed = true;
    this.session = undefined;
    this.page = undefined;
    return Promise.resolve();
  }

  private async go(session: HttpSession, navigation: HttpNavigation, signal: AbortSignal): Promise<Loaded> {
    const fetched = await session.navigate(navigation, signal);
    return this.load(fetched.html, fetched.url);
  }

  private load(html: string, url: string): Loaded {
    const doc = parseHtmlDocument(html, url);
    const reason = scriptRenderedReason(doc, WEBSHOP_SERVER_MARKERS);
    if (reason !== undefined) throw new ScriptRequiredError(reason, { details: { url } });
    return { doc, snapshot: snapshotWebShopHtml(doc) };
  }

  private observe(snapshot: WebShopPageSnapshot): Observation {
    return webShopObservationOf(snapshot, { rich: this.rich, instruction: this.instruction, clickedAsins: this.clickedAsins });
  }

}
