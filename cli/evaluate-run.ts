import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { evaluateTask, type TaskEvaluation } from '../adapters/webarena/evaluators/evaluate-task.js';
import type { Judge } from '../adapters/webarena/evaluators/judge.js';
import { judgeFromFlags } from '../adapters/webarena/webarena-judge-flag.js';
import { resolveSites } from '../adapters/webarena/webarena-sites.js';
import { readAnswersFile } from './webarena-answers-file.js';
import { readWebArenaTaskFile } from '../adapters/webarena/webarena-task-file.js';

export interface EvaluateFlags {
  configs: string;
  answers: string;
  sites?: string;
  judge?: string;
  judgeBaseUrl?: string;
  judgeTimeout: number;
  strictUrl?: boolean;
  strictWebarena?: boolean;
  out?: string;
}

export interface EvaluateSummary {
  scored: number;
  mean: number | null;
  /** Tasks left unscored because program_html needs the live site. */
  needsLiveSite: number;
  /** Tasks left unscored for want of a site URL, and how many tasks each placeholder holds up. */
  needsPlaceholder: number;
  placeholders: Record<string, number>;
  /** Tasks with a check that cannot be reproduced here (e.g. an unknown helper). */
  unsupported: number;
  missingAnswers: number;
  unknownTasks: number;
}

const createJudge = (flags: EvaluateFlags): Judge | undefined => judgeFromFlags(flags);

/** `needs_placeholder 3 (__MAP__ 2, __GITLAB__ 1)`: what the unscored tasks wait for. */
const formatPlaceholders = (s: EvaluateSummary): string => {
  const entries = Object.entries(s.placeholders).sort((a, b) => b[1] - a[1]);
  return entries.length === 0 ? '' : ` (${entries.map(([p, n]) => `${p} ${n}`).join(', ')})`;
};

export const formatEvaluateSummary = (s: EvaluateSummary): string =>
  `scored ${s.scored}, mean ${s.mean === null ? 'n/a' : s.mean.toFixed(3)}, needs_live_site ${s.needsLiveSite}, ` +
  `needs_placeholder ${s.needsPlaceholder}${formatPlaceholders(s)}, unsupported ${s.unsupported}, missing answers ${s.missingAnswers}`;

/**
 * `dreambridge evaluate`: scores each answer line against its task's config (in the order of the
 * answers file) and writes one `{task_id, score, evaluators, needs_live_site?,
 * needs_placeholders?, unsupported?}` line per answer. Every task that can be scored is; the
 * others say what they need (score null), and the summary counts them.
 */
export const runEvaluate = async (flags: EvaluateFlags): Promise<EvaluateSummary> => {
  const tasks = readWebArenaTaskFile(flags.configs);
  const answers = readAnswersFile(flags.answers);
  // Any site's variable (WIKI for `wiki`) for the sites the configs name.
  const sites = resolveSites(flags.sites, process.env, tasks.flatMap((task) => task.sites));
  const judge = createJudge(flags);
  const byId = new Map(tasks.map((task) => [task.task_id, task]));
  const answered = answers.flatMap((a) => {
    const task = byId.get(a.task_id);
    return task === undefined ? [] : [{ answer: a, task }];
  });
  const unknownTasks = answers.length - answered.length;
  if (unknownTasks > 0) console.error(`ignoring ${unknownTasks} answer${unknownTasks > 1 ? 's' : ''} for tasks not in ${flags.configs}`);
  if (judge === undefined && answered.some(({ task }) => task.eval.eval_types.includes('string_match') && task.eval.reference_answers?.fuzzy_match !== undefined)) {
    console.error('fuzzy_match: no --judge given, so answers are compared exactly after normalisation (clean + collapsed whitespace); results say judge "none"');
  }

  // Results stream out as they are scored (judge calls can be slow); backpressure respected.
  const out: Writable = flags.out === undefined ? process.stdout : createWriteStream(flags.out);
  const results: TaskEvaluation[] = [];
  try {
    for (const { answer, task } of answered) {
      const result = await evaluateTask(task, {
        answer: answer.answer,
        ...(answer.url === undefined ? {} : { url: answer.url }),
        programHtmlValues: 'unavailable',
        sites,
        ...(judge === undefined ? {} : { judge }),
        strictUrl: flags.strictUrl === true,
        strictWebArena: flags.strictWebarena === true,
      });
      results.push(result);
      if (!out.write(`${JSON.stringify(result)}\n`)) await once(out, 'drain');
    }
  } finally {
    if (out !== process.stdout) {
      out.end();
      await once(out, 'close');
    }
  }

  const answeredIds = new Set(answered.map(({ task }) => task.task_id));
  const scores = results.flatMap((r) => (r.score === null ? [] : [r.score]));
  const unscored = results.filter((r) => r.score === null);
  const placeholders: Record<string, number> = {};
  for (const r of unscored) for (const p of r.needs_placeholders ?? []) placeholders[p] = (placeholders[p] ?? 0) + 1;
  const summary: EvaluateSummary = {
    scored: scores.length,
    mean: scores.length === 0 ? null : scores.reduce<number>((a, b) => a + b, 0) / scores.length,
    needsLiveSite: unscored.filter((r) => r.needs_live_site === true).length,
    needsPlaceholder: unscored.filter((r) => (r.needs_placeholders ?? []).length > 0).length,
    placeholders,
    unsupported: unscored.filter((r) => (r.unsupported ?? []).length > 0).length,
    missingAnswers: tasks.filter((task) => !answeredIds.has(task.task_id)).length,
    unknownTasks,
  };
  console.error(formatEvaluateSummary(summary));
  return summary;
};
