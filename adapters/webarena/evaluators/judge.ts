/**
 * An LLM asked for a verdict (fuzzy_match and "N/A" reasons). Implementations: the OpenAI-
 * compatible judge; tests may pass any object. `name` is recorded in every result it scores.
 */
export interface Judge {
  readonly name: string;
  ask(prompt: string, options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<string>;
}

/** `equivalence`: correct / incorrect / partially correct; `same-different`: same / different. */
export type VerdictKind = 'equivalence' | 'same-different';

export interface Verdict {
  readonly score: 0 | 1;
  /** The verdict word the score was read from (`correct`, `incorrect`, `same`, …). */
  readonly verdict?: string;
  /** Set when the text holds no verdict: scored 0 (WebArena's assert would crash instead). */
  readonly unparseable?: true;
  readonly reason?: string;
}

// Our prompts ask for a last line `Verdict: <word>`; when the judge gives one, it decides, so
// options echoed in the reasoning ("correct/incorrect/…") cannot flip the score (webarena #272).
const VERDICT_LINE: Record<VerdictKind, RegExp> = {
  equivalence: /verdict\s*[:=-]?\s*\**\s*\[?\s*(partially correct|incorrect|not correct|correct)\b/g,
  'same-different': /verdict\s*[:=-]?\s*\**\s*\[?\s*(different|not the same|same)\b/g,
};

// Otherwise WebArena's rule over the whole text: a 0-word anywhere wins over the 1-word.
const ZERO_WORDS: Record<VerdictKind, readonly string[]> = {
  equivalence: ['partially correct', 'incorrect', 'not correct'],
  'same-different': ['different', 'not the same'],
};
const ONE_WORD: Record<VerdictKind, string> = { equivalence: 'correct', 'same-different': 'same' };

const preview = (text: string): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
};

/**
 * Reads a judge's verdict, case-insensitively. `Verdict: X` lines decide when present (the last
 * one); otherwise "incorrect"/"partially correct" (or "different") anywhere → 0, before
 * "correct" (or "same") → 1, as WebArena does ("not correct"/"not the same" count as 0 too).
 * No verdict at all → score 0 with `unparseable` and the reason.
 */
export const parseVerdict = (text: string, kind: VerdictKind): Verdict => {
  const lower = text.toLowerCase();
  const lines = [...lower.matchAll(VERDICT_LINE[kind])];
  const last = lines.at(-1)?.[1];
  if (last !== undefined) return { score: last === ONE_WORD[kind] ? 1 : 0, verdict: last };
  const zero = ZERO_WORDS[kind].find((word) => lower.includes(word));
  if (zero !== undefined) return { score: 0, verdict: zero };
  if (lower.includes(ONE_WORD[kind])) return { score: 1, verdict: ONE_WORD[kind] };
  const expected = kind === 'equivalence' ? '"correct", "incorrect" or "partially correct"' : '"same" or "different"';
  return { score: 0, unparseable: true, reason: `the judge's reply has no verdict (expected ${expected}): "${preview(text)}"` };
};

/** Asks whether a student's answer means the same as the reference (WebArena's fuzzy_match). */
export const equivalencePrompt = (input: { question: string; reference: string; answer: string }): string =>
  [
    'You are grading a student\'s answer to a question against a reference answer.',
    'The wording may differ from the reference; what matters is whether the student\'s answer means the same thing.',
    'The string "N/A" anywhere below is a special value meaning "the task cannot be achieved".',
    '',
    `Question: ${input.question}`,
    `Reference answer: ${input.reference}`,
    `Student answer: ${input.answer}`,
    '',
    'Explain briefly, then end with one line: "Verdict: correct", "Verdict: incorrect" or "Verdict: partially correct".',
  ].join('\n');

/** Asks whether an agent's reason for giving up is the known reason the task cannot be done. */
export const sameDifferentPrompt = (input: { task: string; reason: string; report: string }): string =>
  [
    'A task cannot be completed, for a known reason. Someone attempted it, failed, and reported why.',
    'Decide whether the report points to the known reason, even if only implicitly.',
    '',
    `Task: ${input.task}`,
    `Known reason: ${input.reason}`,
    `Report: ${input.report}`,
    '',
    'Explain briefly, then end with one line: "Verdict: same" if the report refers to the known reason, otherwise "Verdict: different".',
  ].join('\n');
