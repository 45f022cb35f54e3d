import { clean, normaliseAnswer } from './clean-answer.js';
import { allPass, evaluatorResult, type EvaluatorResult } from './evaluator-result.js';
import { equivalencePrompt, parseVerdict, sameDifferentPrompt, type Judge, type VerdictKind } from './judge.js';

export interface FuzzyMatchContext {
  /** The task's intent: the question the judge is shown. */
  intent: string;
  /** The known reason an "N/A" task cannot be done (`eval.string_note`). */
  stringNote?: string;
  /** No judge: each comparison is an exact match after clean + collapsed whitespace. */
  judge?: Judge;
  timeoutMs?: number;
  signal?: AbortSignal;
}

interface Check {
  reference: string;
  score: 0 | 1;
  verdict?: string;
  unparseable?: true;
  reason?: string;
}

const ask = async (ctx: FuzzyMatchContext, judge: Judge, prompt: string, kind: VerdictKind, reference: string): Promise<Check> => {
  const reply = await judge.ask(prompt, {
    ...(ctx.timeoutMs === undefined ? {} : { timeoutMs: ctx.timeoutMs }),
    ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
  });
  const verdict = parseVerdict(reply, kind);
  return { reference, ...verdict };
};

const fallback = (reference: string, prediction: string): Check => {
  const equal = normaliseAnswer(reference) === normaliseAnswer(prediction);
  return { reference, score: equal ? 1 : 0, verdict: equal ? 'equal' : 'not equal' };
};

/**
 * WebArena's fuzzy_match. `prediction` is the cleaned answer, as WebArena passes it.
 * * `"N/A"` (an unachievable task): 1 when the prediction is exactly "n/a"; otherwise the judge
 *   compares the reported reason with `string_note` ("same" → 1, "different" → 0).
 * * a list: every reference must be judged equivalent (an empty prediction only equals an
 *   empty reference, without asking).
 * With no judge, comparisons are exact after normalisation and the result says `judge: 'none'`.
 * A judge that cannot be reached throws (JUDGE_FAILED); an unreadable verdict scores 0.
 */
export const fuzzyMatch = async (references: readonly string[] | 'N/A', prediction: string, ctx: FuzzyMatchContext): Promise<EvaluatorResult> => {
  const judgeName = ctx.judge?.name ?? 'none';
  const fallbackNote = ctx.judge === undefined ? 'no judge: exact comparison after clean + collapsed whitespace' : undefined;
  if (references === 'N/A') {
    if (clean(prediction) === 'n/a') {
      return evaluatorResult('fuzzy_match', 1, { reference: 'N/A', judge: judgeName, unachievable: true, answered: 'n/a' });
    }
    const note = ctx.stringNote ?? '';
    const check = ctx.judge === undefined
      ? fallback(note, prediction)
      : await ask(ctx, ctx.judge, sameDifferentPrompt({ task: ctx.intent, reason: note, report: prediction }), 'same-different', note);
    const details = { reference: 'N/A', judge: judgeName, unachievable: true, string_note: note, checks: [check] };
    if (check.score === 1) return evaluatorResult('fuzzy_match', 1, details, fallbackNote);
    return evaluatorResult('fuzzy_match', 0, details, check.reason ?? `the answer is neither "N/A" nor the known reason (${check.verdict ?? 'no verdict'})`);
  }
  const checks: Check[] = [];
  for (const reference of references) {
    if (prediction.length === 0) {
      // WebArena skips the judge here: it used to misjudge blank answers.
      checks.push({ reference, score: reference.length === 0 ? 1 : 0, verdict: 'empty answer' });
    } else if (ctx.judge === undefined) {
      checks.push(fallback(reference, prediction));
    } else {
      checks.push(await ask(ctx, ctx.judge, equivalencePrompt({ question: ctx.intent, reference, answer: prediction }), 'equivalence', reference));
    }
  }
  const score = allPass(checks);
  const details = { references: [...references], judge: judgeName, checks };
  if (score === 1) return evaluatorResult('fuzzy_match', 1, details, fallbackNote);
  const failed = checks.find((c) => c.score === 0);
  const why = failed?.reason ?? `"${failed?.reference ?? ''}" judged ${failed?.verdict ?? 'not equivalent'}`;
  return evaluatorResult('fuzzy_match', 0, details, fallbackNote === undefined ? why : `${why} (${fallbackNote})`);
};
