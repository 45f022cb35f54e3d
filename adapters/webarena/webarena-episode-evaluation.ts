import type { BrowserContext } from 'playwright-core';
import { evaluateTask, type TaskEvaluation } from './evaluators/evaluate-task.js';
import type { Judge } from './evaluators/judge.js';
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
  judge?: Judge;
  strictUrl: boolean;
  timeoutMs: number;
}

export type EpisodeEvaluation = TaskEvaluation & { error?: string };

/**
 * Reads each program_html target in a separate, clean page of the agent's context (so the check
 * neither disturbs nor sees the agent's page state): navigate (or the agent's last URL for
 * `last`), run `prep_actions`, then the locator's JS expression, or the whole HTML for an empty
 * one. A locator that throws reads as "" (as in WebArena); `func:` helpers are site-specific and
 * not available, which also reads as "".
 */
const readProgramHtml = async (context: BrowserContext, targets: readonly ProgramHtmlTarget[], lastUrl: string, sites: Readonly<Record<string, string>>, timeoutMs: number): Promise<unknown[]> => {
  const page = await context.newPage();
  try {
    const values: unknown[] = [];
    for (const target of targets) {
      const url = target.url === 'last' ? lastUrl : target.url.startsWith('func:') ? undefined : resolvePlaceholders(target.url, sites);
      if (url === undefined) {
        values.push('');
        continue;
      }
      await page.goto(url, { waitUntil: 'load', timeout: timeoutMs });
      for (const prep of target.prep_actions ?? []) await page.evaluate(prep).catch(() => undefined);
      const locator = target.locator.trim();
      if (locator === '') values.push(await page.content());
      else if (locator.startsWith('func:')) values.push('');
      else values.push(await page.evaluate(`(() => { try { return (${locator}); } catch (e) { return ''; } })()`).catch(() => ''));
    }
    return values;
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
    const programHtmlValues = needsHtml ? await readProgramHtml(options.context, task.eval.program_html ?? [], options.url, options.sites, options.timeoutMs) : 'unavailable';
    return await evaluateTask(task, {
      answer: options.answer,
      url: options.url,
      programHtmlValues,
      sites: options.sites,
      strictUrl: options.strictUrl,
      timeoutMs: options.timeoutMs,
      ...(options.judge ? { judge: options.judge } : {}),
    });
  } catch (error) {
    return { task_id: task.task_id, score: 0, evaluators: [], error: `evaluation failed: ${(error as Error).message}` };
  }
};
