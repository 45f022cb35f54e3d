import type { ProgramHtmlTarget, WebArenaTask } from '../webarena-task-config.js';
import { resolvePlaceholders, type SiteUrls } from '../webarena-sites.js';
import { PlaceholderUnresolvedError } from '../../../src/env/errors.js';
import { allPass, evaluatorResult, unscoredResult, type EvaluatorResult } from './evaluator-result.js';
import { parseHelperCall } from './helper-call.js';
import { readingOf } from './program-html-reading.js';
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
   * `checkProgramHtmlTarget`), or a `ProgramHtmlReading` saying more (an unsupported helper, a
   * failed read, prep_action errors). Default 'unavailable': such tasks are `needs_live_site`.
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
  /**
   * Product of the evaluators' scores. 0 as soon as one evaluator that could score scored 0;
   * otherwise null when something could not be scored here (see the fields below).
   */
  score: 0 | 1 | null;
  evaluators: EvaluatorResult[];
  /** program_html needs values read from the live site. */
  needs_live_site?: true;
  /** Site placeholders with no URL (`__MAP__`): pass `--sites map=URL` or set `MAP`. */
  needs_placeholders?: string[];
  /** Checks that cannot be reproduced here, with the reason (e.g. an unknown helper). */
  unsupported?: string[];
}

/** `text` with its placeholders resolved, or the placeholder that has no URL. */
const tryResolve = (text: string, sites: SiteUrls): { text: string } | { missing: string; reason: string } => {
  try {
    return { text: resolvePlaceholders(text, sites) };
  } catch (error) {
    if (error instanceof PlaceholderUnresolvedError) return { missing: String(error.details['placeholder'] ?? ''), reason: error.message };
    throw error;
  }
};

/** Resolves a target's URL and contents (WebArena substitutes placeholders everywhere). */
const resolveTarget = (target: ProgramHtmlTarget, sites: SiteUrls): ProgramHtmlTarget => {
  const { exact_match: exact, must_include: include } = target.required_contents;
  return {
    ...target,
    url: target.url.startsWith('func:') ? target.url : resolvePlaceholders(target.url, sites),
    required_contents: {
      ...(exact === undefined ? {} : { exact_match: resolvePlaceholders(exact, sites) }),
      ...(include === undefined ? {} : { must_include: include.map((entry) => resolvePlaceholders(entry, sites)) }),
    },
  };
};

/** Why a target's `func:` helpers cannot run here, if they cannot (known before any page is read). */
export const unsupportedHelper = (target: ProgramHtmlTarget): string | undefined => {
  for (const [text, place] of [[target.url, 'url'], [target.locator, 'locator']] as const) {
    if (!text.trim().startsWith('func:')) continue;
    const call = parseHelperCall(text, place);
    if ('unsupported' in call) return call.unsupported;
  }
  return undefined;
};

/** The placeholders of a target with no URL, with the message saying how to give them. */
const missingPlaceholders = (target: ProgramHtmlTarget, sites: SiteUrls): { missing: string; reason: string }[] => {
  const texts = [target.url, ...(target.required_contents.exact_match === undefined ? [] : [target.required_contents.exact_match]), ...(target.required_contents.must_include ?? [])];
  return texts.flatMap((text) => {
    const resolved = tryResolve(text, sites);
    return 'missing' in resolved ? [resolved] : [];
  });
};

const checkTarget = (target: ProgramHtmlTarget, value: unknown, sites: SiteUrls): EvaluatorResult => {
  const reading = readingOf(value);
  const extra = {
    ...(reading.notes.url === undefined ? {} : { read_url: reading.notes.url }),
    ...(reading.notes.prepErrors === undefined ? {} : { prep_errors: [...reading.notes.prepErrors] }),
  };
  if (reading.notes.unsupported !== undefined) return unscoredResult('program_html', 'unsupported', { url: target.url, locator: target.locator, ...extra }, reading.notes.unsupported);
  if (reading.notes.error !== undefined) return evaluatorResult('program_html', 0, { url: target.url, locator: target.locator, ...extra }, reading.notes.error);
  const check = checkProgramHtmlTarget(resolveTarget(target, sites), reading.value);
  return { ...check, details: { ...check.details, ...extra } };
};

const programHtml = (targets: readonly ProgramHtmlTarget[], values: readonly unknown[], sites: SiteUrls): EvaluatorResult => {
  if (values.length !== targets.length) {
    return evaluatorResult('program_html', 0, { targets: targets.length, values: values.length }, `got ${values.length} values for ${targets.length} targets`);
  }
  const checks = targets.map((target, i) => checkTarget(target, values[i], sites));
  const failed = checks.findIndex((c) => c.score === 0 && c.unscored === undefined);
  if (failed >= 0) return evaluatorResult('program_html', 0, { checks }, `target ${failed}: ${checks[failed]?.reason ?? 'failed'}`);
  const unsupported = checks.findIndex((c) => c.unscored !== undefined);
  if (unsupported >= 0) return unscoredResult('program_html', 'unsupported', { checks }, `target ${unsupported}: ${checks[unsupported]?.reason ?? 'unsupported'}`);
  return evaluatorResult('program_html', 1, { checks });
};

/** program_html without values from the live site: what it would need, or why it cannot run. */
const programHtmlOffline = (targets: readonly ProgramHtmlTarget[], sites: SiteUrls): { result?: EvaluatorResult; placeholders: { missing: string; reason: string }[] } => {
  const unsupported = targets.map(unsupportedHelper).findIndex((reason) => reason !== undefined);
  const placeholders = targets.flatMap((target) => missingPlaceholders(target, sites));
  if (unsupported >= 0) {
    const target = targets[unsupported];
    return { result: unscoredResult('program_html', 'unsupported', { url: target?.url, locator: target?.locator }, `target ${unsupported}: ${target ? unsupportedHelper(target) : ''}`), placeholders };
  }
  return { placeholders };
};

/**
 * Scores an episode the way WebArena does: every evaluator in `eval.eval_types`, score = their
 * product. Placeholders are resolved from `sites`; one with no URL leaves its evaluator
 * unscored (`needs_placeholders` says which). program_html needs values read from the live
 * site; without them the task is `needs_live_site`. A helper that cannot run here is
 * `unsupported` with the reason. Whatever cannot be scored, an evaluator that scored 0 decides:
 * the task scores 0. Only a judge that cannot be reached throws.
 */
export const evaluateTask = async (task: WebArenaTask, options: EvaluateTaskOptions): Promise<TaskEvaluation> => {
  const sites = options.sites ?? {};
  const evaluators: EvaluatorResult[] = [];
  let needsLiveSite = false;
  const placeholders = new Set<string>();
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
      const reference = tryResolve(task.eval.reference_url ?? '', sites);
      if ('missing' in reference) {
        placeholders.add(reference.missing);
        evaluators.push(unscoredResult('url_match', 'needs_placeholder', { reference: task.eval.reference_url }, reference.reason));
      } else {
        evaluators.push(
          options.url === undefined
            ? evaluatorResult('url_match', 0, { reference: reference.text }, 'no final URL was given')
            : urlMatch(reference.text, options.url, { strict: options.strictUrl === true }),
        );
      }
    } else {
      const values = options.programHtmlValues ?? 'unavailable';
      if (values === 'unavailable') {
        const offline = programHtmlOffline(task.eval.program_html, sites);
        for (const p of offline.placeholders) placeholders.add(p.missing);
        if (offline.result) evaluators.push(offline.result);
        else needsLiveSite = true;
      } else {
        const missing = task.eval.program_html.flatMap((target) => missingPlaceholders(target, sites));
        if (missing.length > 0) {
          for (const p of missing) placeholders.add(p.missing);
          evaluators.push(unscoredResult('program_html', 'needs_placeholder', {}, missing[0]?.reason ?? 'a placeholder has no URL'));
        } else evaluators.push(programHtml(task.eval.program_html, values, sites));
      }
    }
  }
  const unsupported = evaluators.filter((e) => e.unscored === 'unsupported').map((e) => `${e.name}: ${e.reason ?? 'unsupported'}`);
  const decidedZero = evaluators.some((e) => e.unscored === undefined && e.score === 0);
  const open = needsLiveSite || placeholders.size > 0 || unsupported.length > 0;
  return {
    task_id: task.task_id,
    score: decidedZero ? 0 : open ? null : allPass(evaluators),
    evaluators,
    ...(needsLiveSite && !decidedZero ? { needs_live_site: true as const } : {}),
    ...(placeholders.size > 0 ? { needs_placeholders: [...placeholders] } : {}),
    ...(unsupported.length > 0 ? { unsupported } : {}),
  };
};
