import type { BrowserContext, Page } from 'playwright-core';
import { evaluateTask, type TaskEvaluation } from './evaluators/evaluate-task.js';
import type { Judge } from './evaluators/judge.js';
import { parseHelperCall } from './evaluators/helper-call.js';
import { ProgramHtmlReading } from './evaluators/program-html-reading.js';
import { HelperUnsupported, runHelper, type HelperHost } from './webarena-helpers.js';
import type { LoginCredentials } from './webarena-login.js';
import { resolvePlaceholders } from './webarena-sites.js';
import type { ProgramHtmlTarget, WebArenaTask } from './webarena-task-config.js';
import { cleanUp } from '../../src/env/clean-up.js';

export interface EpisodeEvaluationOptions {
  task: WebArenaTask;
  /** The agent's context: its login cookies are needed to read the pages. */
  context: BrowserContext;
  answer: string;
  /** The agent's final page URL. */
  url: string;
  sites: Readonly<Record<string, string>>;
  /** The run's site credentials, for helpers that need an account (the shop's REST token). */
  credentials?: Readonly<Record<string, LoginCredentials>>;
  judge?: Judge;
  strictUrl: boolean;
  /** The time left to the step's deadline: the evaluation runs under it. */
  remainingMs(): number;
}

export type EpisodeEvaluation = TaskEvaluation & { error?: string };

const firstLine = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';

/** The URL a target is read at: `last`, a `func:` helper's result, or the target's own URL. */
const targetUrl = async (target: ProgramHtmlTarget, lastUrl: string, host: HelperHost): Promise<string | ProgramHtmlReading> => {
  if (target.url === 'last') return lastUrl;
  if (!target.url.startsWith('func:')) return resolvePlaceholders(target.url, host.sites as Readonly<Record<string, string>>);
  const call = parseHelperCall(target.url, 'url', lastUrl);
  if ('unsupported' in call) return new ProgramHtmlReading('', { unsupported: call.unsupported });
  return runHelper(call, host);
};

/** The locator's value on the page (WebArena's rules: a throwing JS locator reads as ""). */
const locatorValue = async (page: Page, locator: string, host: HelperHost): Promise<unknown> => {
  if (locator === '') return page.content();
  if (locator.startsWith('func:')) {
    const call = parseHelperCall(locator, 'locator');
    if ('unsupported' in call) return new ProgramHtmlReading('', { unsupported: call.unsupported });
    return runHelper(call, host);
  }
  return page.evaluate(`(() => { try { return (${locator}); } catch (e) { return ''; } })()`).catch(() => '');
};

/** Reads one target; a helper that cannot run or fails is a reading saying so, not a throw. */
const readTarget = async (page: Page, target: ProgramHtmlTarget, lastUrl: string, host: HelperHost): Promise<ProgramHtmlReading> => {
  let url: string | ProgramHtmlReading;
  try {
    url = await targetUrl(target, lastUrl, host);
  } catch (error) {
    if (error instanceof HelperUnsupported) return new ProgramHtmlReading('', { unsupported: error.message });
    return new ProgramHtmlReading('', { error: `the target's URL: ${firstLine(error)}` });
  }
  if (url instanceof ProgramHtmlReading) return url;
  const computed = target.url.startsWith('func:') ? { url } : {};
  try {
    await page.goto(url, { waitUntil: 'load', timeout: host.remainingMs() });
  } catch (error) {
    // This target reads as an error; the other targets are still read.
    return new ProgramHtmlReading('', { ...computed, error: `could not open ${url}: ${firstLine(error)}` });
  }
  // WebArena runs the prep_actions in one try: the first that throws ends them, and is ignored.
  const prepErrors: string[] = [];
  for (const [index, prep] of (target.prep_actions ?? []).entries()) {
    const failure = await page.evaluate(prep).then(() => undefined, (error: unknown) => `prep_actions[${index}]: ${firstLine(error)}`);
    if (failure !== undefined) {
      prepErrors.push(failure);
      break;
    }
  }
  const notes = { ...computed, ...(prepErrors.length > 0 ? { prepErrors } : {}) };
  try {
    const value = await locatorValue(page, target.locator.trim(), host);
    if (value instanceof ProgramHtmlReading) return new ProgramHtmlReading(value.value, { ...value.notes, ...notes });
    return new ProgramHtmlReading(value, notes);
  } catch (error) {
    if (error instanceof HelperUnsupported) return new ProgramHtmlReading('', { ...notes, unsupported: error.message });
    return new ProgramHtmlReading('', { ...notes, error: `the target's locator: ${firstLine(error)}` });
  }
};

/**
 * Reads each program_html target in a separate, clean page of the agent's context (so the check
 * neither disturbs nor sees the agent's page state): navigate (the agent's last URL for `last`,
 * a `func:` helper's URL), run `prep_actions` (errors recorded), then the locator's JS
 * expression, a `func:` helper, or the whole HTML for an empty one.
 */
const readProgramHtml = async (options: EpisodeEvaluationOptions): Promise<ProgramHtmlReading[]> => {
  const page = await options.context.newPage();
  try {
    const host: HelperHost = { sites: options.sites, request: options.context.request, page, credentials: options.credentials ?? {}, remainingMs: options.remainingMs };
    const readings: ProgramHtmlReading[] = [];
    for (const target of options.task.eval.program_html) readings.push(await readTarget(page, target, options.url, host));
    return readings;
  } finally {
    await cleanUp('WebArena evaluation page', () => page.close());
  }
};

/**
 * Scores the finished episode with WebArena's evaluators. An evaluator that throws scores 0 with
 * the reason: one broken check never crashes a run.
 */
export const evaluateWebArenaEpisode = async (options: EpisodeEvaluationOptions): Promise<EpisodeEvaluation> => {
  const { task } = options;
  try {
    const needsHtml = task.eval.eval_types.includes('program_html');
    const programHtmlValues = needsHtml ? await readProgramHtml(options) : 'unavailable';
    return await evaluateTask(task, {
      answer: options.answer,
      url: options.url,
      programHtmlValues,
      sites: options.sites,
      strictUrl: options.strictUrl,
      // Whole milliseconds: the judge's HTTP client takes an integer timeout.
      timeoutMs: Math.max(1, Math.floor(options.remainingMs())),
      ...(options.judge ? { judge: options.judge } : {}),
    });
  } catch (error) {
    return { task_id: task.task_id, score: 0, evaluators: [], error: `evaluation failed: ${(error as Error).message}` };
  }
};
