import { decodeHTML } from 'entities';
import { pyStr } from '../../../src/python/python-repr.js';
import type { ProgramHtmlTarget } from '../webarena-task-config.js';
import { clean } from './clean-answer.js';
import { evaluatorResult, type EvaluatorResult } from './evaluator-result.js';
import { fromPlaywrightValue } from './playwright-python-value.js';

/** How much of the checked value a result keeps (a whole page's HTML is too much to record). */
const PREVIEW_CHARS = 300;

const preview = (text: string): string => (text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}…` : text);

/**
 * The text WebArena checks for a target: Python's `str()` of what the locator gave (the page's
 * HTML for an empty locator, a JS expression's value, a helper's string), then `html.unescape`
 * (the `entities` package decodes as Python does: HTML5 named references, legacy ones without
 * `;`, numeric ones with the same replacements).
 */
export const programHtmlText = (value: unknown): string => decodeHTML(pyStr(fromPlaywrightValue(value)));

/**
 * Checks one program_html target against the value read from the page (pure; reading the page
 * is the live adapter's job; a locator that threw should be passed as "", as WebArena does).
 * `exact_match`: clean(text) == clean(reference). `must_include`: each entry, or one of its
 * ` |OR| ` alternatives, is a substring of clean(text). Placeholders in the target must be
 * resolved already. Never throws.
 */
export const checkProgramHtmlTarget = (target: ProgramHtmlTarget, value: unknown): EvaluatorResult => {
  const text = programHtmlText(value);
  const base = { url: target.url, locator: target.locator, value: preview(text), value_length: text.length };
  const { exact_match: exact, must_include: include } = target.required_contents;
  if (exact !== undefined) {
    const ok = clean(text) === clean(exact);
    return evaluatorResult('program_html', ok, { ...base, exact_match: exact }, ok ? undefined : `"${preview(clean(text))}" is not "${clean(exact)}"`);
  }
  if (include !== undefined) {
    const cleaned = clean(text);
    const missing = include.filter((entry) => !entry.split(' |OR| ').some((alternative) => cleaned.includes(clean(alternative))));
    const details = { ...base, must_include: [...include], missing };
    if (missing.length === 0) return evaluatorResult('program_html', 1, details);
    return evaluatorResult('program_html', 0, details, `the ${target.locator.trim() === '' ? 'page' : 'value'} does not include ${missing.map((m) => `"${m}"`).join(', ')}`);
  }
  return evaluatorResult('program_html', 0, base, 'the target has neither exact_match nor must_include');
};
