import type { ProgramHtmlTarget, WebArenaTask } from '../webarena-task-config.js';
import { resolvePlaceholders, type SiteUrls } from '../webarena-sites.js';
import { allPass, evaluatorResult, type EvaluatorResult } from './evaluator-result.js';
import type { Judge } from './judge.js';
import { checkProgramHtmlTarget } from './program-html-check.js';
import { stringMatch } from './string-match.js';
import { urlMatch } from './url-match.js';

export interface EvaluateTaskOptions {
  /** The argument of the agent's final `stop [answer]` ("" when it gave none). */
  answer: string;
  /** The URL of the agent's page at the end (for url_match); absent → url_match scores 0. */
  url?: string;
  /**
   * One value per `eval.program_html` target, in order, as read from the live site (see
   * `checkProgramHtmlTarget`). Default 'unavailable': such tasks are `needs_live_site`.
   */
  programHtmlValues?: readonly unknown[] | 'unavailable';
  /** The fuzzy_match judge; without one, the exact-match fallback (`judge: 'none'`). */
  judge?: Judge;
  /** url_match bases must be equal rather than contained (see `urlMatch`). */
  strictUrl?: boolean;
  /** must_include exactly as WebArena, #211 included (see `StringMatchOptions`). */
  strictWebArena?: boolean;
  /** Site URLs for the placeholders in reference URLs and program_html contents. */
  sites?: SiteUrls;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface TaskEvaluation {
  task_id: number;
  /** Product of the evaluators' scores; null when a live site is needed to finish. */
  score: 0 | 1 | null;
  evaluators: EvaluatorResult[];
  needs_live_site?: true;
}

/** Resolves a target's URL and contents (WebArena substitutes placeholders everywhere). */
const resolveTarget = (target: ProgramHtmlTarget, sites: SiteUrls): ProgramHtmlTarget => {
  const { exact_match: exact, must_include: include } = target.required_contents;
  return {
    ...target,
    url: resolvePlaceholders(target.url, sites),
    required_contents: {
      ...(exact === undefined ? {} : { exact_match: resolvePlaceholders(exact, sites) }),
      ...(include === undefined ? {} : { must_include: include.map((entry) => resolvePlaceholders(entry, sites)) }),
    },
  };
};

const programHtml = (targets: readonly ProgramHtmlTarget[], values: readonly unknown[], sites: SiteUrls): EvaluatorResult => {
  if (values.length !== targets.length) {
    return evaluatorResult('program_html', 0, { targets: targets.length, values: values.length }, `got ${values.length} values for ${targets.length} targets`);
  }
  const checks = targets.map((target, i) => checkProgramHtmlTarget(resolveTarget(target, sites), values[i]));
  const failed = checks.findIndex((c) => c.score === 0);
  const reason = failed < 0 ? undefined : `target ${failed}: ${checks[failed]?.reason ?? 'failed'}`;
  return evaluatorResult('program_html', allPass(checks), { checks }, reason);
};

/**
 * Scores an episode the way WebArena does: every evaluator in `eval.eval_types`, score = their
 * product. Placeholders are resolved from `sites` (a missing site URL throws
 * PLACEHOLDER_UNRESOLVED: a run setting, not a property of the answer). program_html needs
 * values read from the live site; without them the task is `needs_live_site` with a null
 * score, the other evaluators still reported. Only a judge that cannot be reached throws.
 */
export const evaluateTask = async (task: WebArenaTask, options: EvaluateTaskOptions): Promise<TaskEvaluation> => {
  const sites = options.sites ?? {};
  const evaluators: EvaluatorResult[] = [];
  let needsLiveSite = false;
  for (const type of task.eval.eval_types) {
    if (type === 'string_match') {
      evaluators.push(
        await stringMatch(task.eval.reference_answers, options.answer, {
          intent: task.intent,
          ...(task.eval.string_note === undefined ? {} : { stringNote: task.eval.string_note }),
          ...(options.judge === undefined ? {} : { judge: options.judge }),
          ...(options.strictWebArena === undefined ? {} : { strictWebArena: options.strictWebArena }),
          ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        }),
      );
    } else if (type === 'url_match') {
      const reference = resolvePlaceholders(task.eval.reference_url ?? '', sites);
      evaluators.push(
        options.url === undefined
          ? evaluatorResult('url_match', 0, { reference }, 'no final URL was given')
          : urlMatch(reference, options.url, { strict: options.strictUrl === true }),
      );
    } else {
      const values = options.programHtmlValues ?? 'unavailable';
      if (values === 'unavailable') needsLiveSite = true;
      else evaluators.push(programHtml(task.eval.program_html, values, sites));
    }
  }
  if (needsLiveSite) return { task_id: task.task_id, score: null, evaluators, needs_live_site: true };
  return { task_id: task.task_id, score: allPass(evaluators), evaluators };
};
