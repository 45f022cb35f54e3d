/**
 * The teacher's answer formats and the checks an answer must pass before it is recorded. The
 * checks are deliberately simple and mechanical (documented in the README): a refused answer is
 * asked again, then recorded as a failure with its raw text; nothing is ever repaired or invented.
 */

export type CheckedAnswer = { ok: true; text: string } | { ok: false; reason: string };

export const REASONING_ANSWER_FORMAT = [
  'Answer in exactly this format:',
  '<reasoning>why the action leads to the next state and the reward</reasoning>',
  '<reward>the reward your reasoning explains, as a number</reward>',
].join('\n');

export const REFLECTION_ANSWER_FORMAT = [
  'Answer in exactly this format:',
  "<reflection>why the expert's action is better than the alternatives in this state</reflection>",
].join('\n');

/** Rewards closer than this are equal (the prompt shows them with 4 decimals). */
const REWARD_TOLERANCE = 1e-3;

/**
 * The text between `<tag>` and `</tag>` (case-insensitive, attributes allowed), or why there is
 * none: no opening tag, or no closing tag (an answer cut at max tokens is not a whole annotation).
 */
export const taggedSection = (raw: string, tag: string): { ok: true; text: string } | { ok: false; reason: string } => {
  const open = new RegExp(`<${tag}(?:\\s[^>]*)?>`, 'i').exec(raw);
  if (!open) return { ok: false, reason: `no <${tag}> tag in the answer` };
  const rest = raw.slice(open.index + open[0].length);
  const close = new RegExp(`</${tag}\\s*>`, 'i').exec(rest);
  if (!close) return { ok: false, reason: `the <${tag}> section is not closed with </${tag}>` };
  return { ok: true, text: rest.slice(0, close.index).trim() };
};

/** A reward as prompts show it: an integer as is, else at most 4 decimals. */
export const formatReward = (r: number): string => (Number.isInteger(r) ? String(r) : String(Number(r.toFixed(4))));

/** Numbers the text states as "the reward": `reward is 1`, `reward of 0.5`, `reward = 0`, `reward: 1.0`. */
export const statedRewards = (text: string): number[] =>
  [...text.matchAll(/\breward\s*(?:is|of|=|:|equals|will be|becomes|stays|remains)\s*(-?\d+(?:\.\d+)?)(?![\d.]*\s*%)/gi)].map((m) => Number(m[1]));

/**
 * A reasoning answer is used when: (1) it has a closed `<reasoning>` section, (2) that section is
 * not empty, (3) it has a closed `<reward>` section holding one number equal to the recorded
 * reward, and (4) every reward the reasoning itself states ("the reward is 1") equals the
 * recorded one. So an answer that claims success (reward 1) on a step whose real reward is 0 is
 * refused, whatever its wording elsewhere.
 */
export const checkReasoningAnswer = (raw: string, reward: number): CheckedAnswer => {
  const reasoning = taggedSection(raw, 'reasoning');
  if (!reasoning.ok) return reasoning;
  if (reasoning.text === '') return { ok: false, reason: 'the <reasoning> section is empty' };
  const stated = taggedSection(raw, 'reward');
  if (!stated.ok) return stated;
  const match = /^-?\d+(?:\.\d+)?$/.exec(stated.text.replace(/[`"']/g, '').trim());
  if (!match) return { ok: false, reason: `<reward> must hold one number, got "${stated.text.slice(0, 40)}"` };
  const recorded = formatReward(reward);
  if (Math.abs(Number(match[0]) - reward) > REWARD_TOLERANCE) return { ok: false, reason: `<reward>${stated.text}</reward> contradicts the recorded reward ${recorded}` };
  const contradiction = statedRewards(reasoning.text).find((n) => Math.abs(n - reward) > REWARD_TOLERANCE);
  if (contradiction !== undefined) return { ok: false, reason: `the reasoning states a reward of ${contradiction}, but the recorded reward is ${recorded}` };
  return { ok: true, text: reasoning.text };
};

/** A reflection answer is used when it has a closed, non-empty `<reflection>` section. */
export const checkReflectionAnswer = (raw: string): CheckedAnswer => {
  const reflection = taggedSection(raw, 'reflection');
  if (!reflection.ok) return reflection;
  if (reflection.text === '') return { ok: false, reason: 'the <reflection> section is empty' };
  return { ok: true, text: reflection.text };
};
