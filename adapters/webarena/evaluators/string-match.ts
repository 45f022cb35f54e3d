import type { ReferenceAnswers } from '../webarena-task-config.js';
import { clean } from './clean-answer.js';
import { allPass, evaluatorResult, type EvaluatorResult } from './evaluator-result.js';
import { fuzzyMatch, type FuzzyMatchContext } from './fuzzy-match.js';
import { answerTokens, nltkWordTokens, tokenNumber } from './word-tokens.js';

export interface StringMatchOptions {
  /**
   * Reproduce WebArena exactly, known flaws included: NLTK-style tokens with no numeric
   * equality ("$0.00" fails must_include "0", webarena #211) and the prediction cleaned twice.
   * Default false: our tokens plus numeric equality for a single-character number reference.
   */
  strictWebArena?: boolean;
}

/** exact_match: clean(prediction) == clean(reference). */
export const exactMatch = (reference: string, prediction: string): EvaluatorResult => {
  const ok = clean(prediction) === clean(reference);
  return evaluatorResult('exact_match', ok, { reference, prediction: clean(prediction) }, ok ? undefined : `"${clean(prediction)}" is not "${clean(reference)}"`);
};

/**
 * Whether one reference is in the prediction. A single reference of one character (after
 * clean) must be a whole token instead, so that "0" does not match "10". Our default also lets
 * a number token equal to that digit match ("$0.00" → token "0.00" equals 0): a fix of
 * webarena #211; `strictWebArena` keeps the original.
 */
const includes = (reference: string, prediction: string, tokenize: boolean, strict: boolean): { ok: boolean; tokenized: boolean } => {
  const ref = clean(reference);
  const pred = clean(prediction);
  const tokenizer = strict ? nltkWordTokens : answerTokens;
  if (tokenize && [...ref].length === 1 && tokenizer(ref).length === 1) {
    const tokens = tokenizer(pred);
    if (tokens.includes(ref)) return { ok: true, tokenized: true };
    const value = strict ? undefined : tokenNumber(ref);
    return { ok: value !== undefined && tokens.some((token) => tokenNumber(token) === value), tokenized: true };
  }
  return { ok: pred.includes(ref), tokenized: false };
};

/** must_include: every reference is a substring of clean(prediction) (see `includes`). */
export const mustInclude = (references: readonly string[], prediction: string, options: StringMatchOptions = {}): EvaluatorResult => {
  const strict = options.strictWebArena === true;
  const results = references.map((reference) => ({ reference, ...includes(reference, prediction, references.length === 1, strict) }));
  const missing = results.filter((r) => !r.ok).map((r) => r.reference);
  const details = {
    references: [...references],
    prediction: clean(prediction),
    tokenized: results.some((r) => r.tokenized),
    mode: strict ? 'webarena' : 'fixed-211',
    missing,
  };
  if (missing.length === 0) return evaluatorResult('must_include', 1, details);
  const whole = results.some((r) => r.tokenized) ? ' as a whole word' : '';
  return evaluatorResult('must_include', 0, details, `the answer does not include ${missing.map((m) => `"${clean(m)}"`).join(', ')}${whole}`);
};

/**
 * WebArena's string_match: every kind of reference answer the task has (exact_match,
 * must_include, fuzzy_match) must pass. Never throws for bad data: a task without reference
 * answers scores 0 with the reason. Only a judge that cannot be reached throws.
 */
export const stringMatch = async (
  answers: ReferenceAnswers | null,
  answer: string,
  context: StringMatchOptions & FuzzyMatchContext,
): Promise<EvaluatorResult> => {
  if (answers === null) return evaluatorResult('string_match', 0, { answer }, 'the task has no reference answers');
  // WebArena cleans the answer once on reading it and again in each comparison.
  const prediction = context.strictWebArena === true ? clean(answer) : answer;
  const checks: EvaluatorResult[] = [];
  if (answers.exact_match !== undefined) checks.push(exactMatch(answers.exact_match, prediction));
  if (answers.must_include !== undefined) checks.push(mustInclude(answers.must_include, prediction, context));
  if (answers.fuzzy_match !== undefined) checks.push(await fuzzyMatch(answers.fuzzy_match, clean(answer), context));
  if (checks.length === 0) return evaluatorResult('string_match', 0, { answer }, 'the task has no reference answers');
  const score = allPass(checks);
  const failed = checks.find((c) => c.score === 0);
  const reason = failed === undefined ? checks.find((c) => c.reason !== undefined)?.reason : `${failed.name}: ${failed.reason ?? 'failed'}`;
  return evaluatorResult('string_match', score, { answer, checks }, reason);
};
