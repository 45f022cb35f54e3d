import { z } from 'zod';
import { ConfigInvalidError } from '../../src/env/errors.js';
import { isSiteName, SITE_NAME_RULE } from './webarena-sites.js';

// WebArena's task config (`config_files/test.raw.json`), accepted as the real file is: nullable
// `reference_answers`/`reference_url`, mixed `instantiation_dict` values, and extra keys kept
// (loose objects), while the parts the evaluators read are checked strictly.

/** An error message for a wrong value that says "missing" when there is no value at all. */
const expected = (problem: string) => ({
  error: (issue: { input?: unknown }): string => (issue.input === undefined ? 'missing' : problem),
});

/** A list of strings, reported as one problem rather than one per element. */
const stringList = z.custom<string[]>((v) => Array.isArray(v) && v.every((x) => typeof x === 'string'), expected('expected an array of strings'));

export const EVAL_TYPES = ['string_match', 'url_match', 'program_html'] as const;
export type EvalType = (typeof EVAL_TYPES)[number];

const referenceAnswersSchema = z
  .strictObject({
    exact_match: z.string(expected('expected a string')).optional(),
    must_include: stringList.optional(),
    // A list of references, or "N/A" for an unachievable task.
    fuzzy_match: z.union([stringList, z.literal('N/A')], expected('expected an array of strings or "N/A"')).optional(),
  }, expected('expected an object or null'))
  .refine((r) => Object.keys(r).length > 0, expected('expected at least one of exact_match, must_include, fuzzy_match'));

const requiredContentsSchema = z
  .strictObject({
    exact_match: z.string(expected('expected a string')).optional(),
    must_include: stringList.optional(),
  }, expected('expected an object'))
  .refine((r) => r.exact_match !== undefined || r.must_include !== undefined, expected('expected exact_match or must_include'));

export const programHtmlTargetSchema = z.looseObject({
  /** A URL (with placeholders), `last` (the agent's last page) or `func:<helper>(...)`. */
  url: z.string(expected('expected a string')),
  /** Empty: the whole HTML; `document.…`/`[...document.…`: a JS expression; `func:…`: a helper. */
  locator: z.string(expected('expected a string')),
  required_contents: requiredContentsSchema,
  prep_actions: stringList.optional(),
}, expected('expected an object'));

const instantiationValue = z.union([z.string(), z.number(), z.array(z.union([z.string(), z.number()]))], {
  error: 'expected a string, a number or a list of them',
});

export const webArenaEvalSchema = z
  .looseObject({
    eval_types: z.array(z.enum(EVAL_TYPES, expected(`expected one of ${EVAL_TYPES.join(', ')}`)), expected('expected a list of eval types')).min(1, expected('expected at least one eval type')),
    reference_answers: referenceAnswersSchema.nullable().default(null),
    /** Alternatives joined by ` |OR| `. */
    reference_url: z.string(expected('expected a string or null')).nullable().default(null),
    program_html: z.array(programHtmlTargetSchema, expected('expected an array of targets')).default([]),
    string_note: z.string(expected('expected a string')).optional(),
    // WebArena knows one rule and raises on any other, so a different one is caught here.
    url_note: z.literal('GOLD in PRED', expected('expected "GOLD in PRED" (the only rule WebArena knows)')).optional(),
    reference_answer_raw_annotation: z.string().optional(),
  }, expected('expected an object'))
  .superRefine((e, ctx) => {
    // What each declared evaluator needs, so a task never fails at scoring time for want of it.
    const types = new Set(e.eval_types);
    if (types.has('string_match') && e.reference_answers === null) {
      ctx.addIssue({ code: 'custom', path: ['reference_answers'], message: 'string_match needs reference answers, got null' });
    }
    if (types.has('url_match') && (e.reference_url === null || e.reference_url.trim() === '')) {
      ctx.addIssue({ code: 'custom', path: ['reference_url'], message: 'url_match needs a reference URL' });
    }
    if (types.has('program_html') && e.program_html.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['program_html'], message: 'program_html needs at least one target' });
    }
    if (e.reference_answers?.fuzzy_match === 'N/A' && (e.string_note === undefined || e.string_note.trim() === '')) {
      ctx.addIssue({ code: 'custom', path: ['string_note'], message: 'an "N/A" fuzzy_match needs the reason in string_note' });
    }
  });

export const webArenaTaskSchema = z.looseObject({
  // WebArena's six (shopping, shopping_admin, reddit, gitlab, wikipedia, map) or any site of your own.
  sites: z.array(z.string(expected('expected a site name')).refine(isSiteName, { message: `expected a site name (${SITE_NAME_RULE})` }), expected('expected a list of site names')).min(1, expected('expected at least one site')),
  task_id: z.int(expected('expected an integer')).nonnegative(expected('expected a non-negative integer')),
  require_login: z.boolean(expected('expected true or false')),
  /** Relative to WebArena's checkout (`./.auth/…`), or null when no login is needed. */
  storage_state: z.string(expected('expected a path or null')).nullable(),
  /** Placeholders such as `__SHOPPING__`; several tabs joined by ` |AND| `. */
  start_url: z.string(expected('expected a string')).min(1, expected('expected a URL')),
  geolocation: z.record(z.string(), z.unknown(), expected('expected an object or null')).nullable().default(null),
  intent_template: z.string(expected('expected a string')),
  instantiation_dict: z.record(z.string(), instantiationValue, expected('expected an object')),
  intent: z.string(expected('expected a string')),
  require_reset: z.boolean(expected('expected true or false')),
  intent_template_id: z.int(expected('expected an integer')),
  eval: webArenaEvalSchema,
});

export type WebArenaTask = z.output<typeof webArenaTaskSchema>;
export type WebArenaEval = z.output<typeof webArenaEvalSchema>;
export type ProgramHtmlTarget = z.output<typeof programHtmlTargetSchema>;
export type ReferenceAnswers = NonNullable<WebArenaEval['reference_answers']>;

/** `['eval', 'program_html', 0, 'url']` → `eval.program_html[0].url`. */
export const formatPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out === '' ? String(key) : `${out}.${String(key)}`), '');

/** zod's "Invalid input: expected string, received number" → "expected string, received number". */
export const formatProblem = (issue: z.core.$ZodIssue): string => {
  if (issue.code === 'unrecognized_keys') return `unexpected key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return issue.message.replace(/^Invalid input: /, '');
};

const taskLabel = (raw: unknown, index: number | undefined): string => {
  const id = typeof raw === 'object' && raw !== null ? (raw as { task_id?: unknown }).task_id : undefined;
  if (typeof id === 'number' || (typeof id === 'string' && id !== '')) return `task ${id}`;
  return index === undefined ? 'task (no task_id)' : `task at index ${index}`;
};

const parseOne = (raw: unknown, file: string, index: number | undefined): WebArenaTask => {
  const label = taskLabel(raw, index);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigInvalidError(`${file}: ${label}: expected a task object`);
  }
  const result = webArenaTaskSchema.safeParse(raw);
  if (result.success) return result.data;
  const [first, ...rest] = result.error.issues;
  if (first === undefined) throw new ConfigInvalidError(`${file}: ${label}: invalid`);
  const field = first.path.length === 0 ? '' : `${formatPath(first.path)}: `;
  const more = rest.length === 0 ? '' : ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})`;
  throw new ConfigInvalidError(`${file}: ${label}: ${field}${formatProblem(first)}${more}`);
};

/**
 * Validates WebArena task configs: one task object or a list of them (as in `test.raw.json`).
 * Errors name the file, the task (its id, else its index in the list) and the field path, e.g.
 * `tasks.json: task 17: eval.reference_answers.must_include: expected an array of strings`.
 */
export const parseWebArenaTasks = (json: unknown, file: string): WebArenaTask[] => {
  if (!Array.isArray(json)) {
    if (typeof json !== 'object' || json === null) throw new ConfigInvalidError(`${file}: expected a task object or a list of tasks`);
    return [parseOne(json, file, undefined)];
  }
  const tasks = json.map((raw, index) => parseOne(raw, file, index));
  const seen = new Map<number, number>();
  tasks.forEach((task, index) => {
    const previous = seen.get(task.task_id);
    if (previous !== undefined) {
      throw new ConfigInvalidError(`${file}: task ${task.task_id}: task_id: duplicate (also at index ${previous}; this one at index ${index})`);
    }
    seen.set(task.task_id, index);
  });
  return tasks;
};

/** Which kind of reference answer a string_match task has. */
export type AnswerKind = 'exact_match' | 'must_include' | 'fuzzy_match';

export interface TaskSummary {
  total: number;
  /** Single-site tasks by their site; tasks on several sites under `multi-site`. */
  bySite: Record<string, number>;
  /** Every site a task uses, multi-site tasks included (so the sum exceeds the total). */
  bySiteIncludingMulti: Record<string, number>;
  /** Eval type combinations as the config lists them, e.g. `url_match+program_html`. */
  byEvalTypes: Record<string, number>;
  /** Reference answer kinds (a task with two kinds counts in both); `none` when null. */
  byAnswerKind: Record<AnswerKind | 'none', number>;
  /** fuzzy_match "N/A": tasks that cannot be done, answered with the reason. */
  unachievable: number;
}

const bump = (counts: Record<string, number>, key: string): void => {
  counts[key] = (counts[key] ?? 0) + 1;
};

/** Most frequent first, ties by name: stable output for printing and tests. */
const sortCounts = <K extends string>(counts: Record<K, number>): Record<K, number> =>
  Object.fromEntries(Object.entries<number>(counts).sort(([a, x], [b, y]) => y - x || a.localeCompare(b))) as Record<K, number>;

/** Counts by site, eval type combination and reference answer kind (what `tasks validate` prints). */
export const summarizeTasks = (tasks: readonly WebArenaTask[]): TaskSummary => {
  const bySite: Record<string, number> = {};
  const bySiteIncludingMulti: Record<string, number> = {};
  const byEvalTypes: Record<string, number> = {};
  const byAnswerKind: Record<AnswerKind | 'none', number> = { must_include: 0, fuzzy_match: 0, exact_match: 0, none: 0 };
  let unachievable = 0;
  for (const task of tasks) {
    const sites = [...new Set(task.sites)];
    bump(bySite, sites.length === 1 && sites[0] !== undefined ? sites[0] : 'multi-site');
    for (const site of sites) bump(bySiteIncludingMulti, site);
    bump(byEvalTypes, task.eval.eval_types.join('+'));
    const answers = task.eval.reference_answers;
    if (answers === null) byAnswerKind.none += 1;
    else {
      if (answers.exact_match !== undefined) byAnswerKind.exact_match += 1;
      if (answers.must_include !== undefined) byAnswerKind.must_include += 1;
      if (answers.fuzzy_match !== undefined) byAnswerKind.fuzzy_match += 1;
      if (answers.fuzzy_match === 'N/A') unachievable += 1;
    }
  }
  return {
    total: tasks.length,
    bySite: sortCounts(bySite),
    bySiteIncludingMulti: sortCounts(bySiteIncludingMulti),
    byEvalTypes: sortCounts(byEvalTypes),
    byAnswerKind: sortCounts(byAnswerKind),
    unachievable,
  };
};
