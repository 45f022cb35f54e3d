/**
 * The experience model's answer format: tagged sections, so that free-form reasoning can never be
 * mistaken for the next state.
 *
 *   <reasoning>why the action leads where it does</reasoning>
 *   <next_state>the next observation text, in the site's state format</next_state>
 *   <reward>0.0</reward>
 *   <done>false</done>
 */
export interface ExperienceOutput {
  reasoning: string;
  nextState: string;
  reward: number;
  done: boolean;
}

export type ParsedExperienceOutput = { ok: true; value: ExperienceOutput; warnings: string[] } | { ok: false; reason: string };

export const EXPERIENCE_OUTPUT_FORMAT = [
  'Answer in exactly this format:',
  '<reasoning>why the action leads to the next state</reasoning>',
  '<next_state>the complete next observation, in the state format above</next_state>',
  '<reward>a number: 0 unless the task is completed</reward>',
  '<done>true or false</done>',
].join('\n');

/** A tag's content; tolerates case, attributes, whitespace, and a missing closing tag at the end. */
const section = (text: string, tag: string): string | undefined => {
  const open = new RegExp(`<${tag}(?:\\s[^>]*)?>`, 'i').exec(text);
  if (!open) return undefined;
  const rest = text.slice(open.index + open[0].length);
  const close = new RegExp(`</${tag}\\s*>`, 'i').exec(rest);
  const next = /<(reasoning|next_state|reward|done)(?:\s[^>]*)?>/i.exec(rest);
  const end = close ? close.index : next ? next.index : rest.length;
  return rest.slice(0, end).trim();
};

const parseDone = (raw: string): boolean | undefined => {
  const v = raw.trim().toLowerCase().replace(/[.`"']/g, '');
  if (['true', 'yes', '1'].includes(v)) return true;
  if (['false', 'no', '0'].includes(v)) return false;
  return undefined;
};

/**
 * Reads a model answer. The next state is required (an invented state is never substituted);
 * a missing or malformed reward or done falls back to 0 / false with a warning.
 */
export const parseExperienceOutput = (raw: string): ParsedExperienceOutput => {
  const text = raw.replace(/^```[a-z]*\n?|```\s*$/gim, '');
  const nextState = section(text, 'next_state');
  if (nextState === undefined || nextState === '') return { ok: false, reason: 'no <next_state> section in the model output' };
  const warnings: string[] = [];
  const rewardText = section(text, 'reward');
  let reward = 0;
  if (rewardText === undefined) warnings.push('no <reward>: 0 assumed');
  else {
    const n = Number(/-?\d+(\.\d+)?(e-?\d+)?/i.exec(rewardText)?.[0]);
    if (Number.isFinite(n)) reward = Math.min(1, Math.max(0, n));
    else warnings.push(`unreadable <reward> "${rewardText.slice(0, 40)}": 0 assumed`);
  }
  const doneText = section(text, 'done');
  let done = false;
  if (doneText === undefined) warnings.push('no <done>: false assumed');
  else {
    const d = parseDone(doneText);
    if (d === undefined) warnings.push(`unreadable <done> "${doneText.slice(0, 40)}": false assumed`);
    else done = d;
  }
  return { ok: true, value: { reasoning: section(text, 'reasoning') ?? '', nextState, reward, done }, warnings };
};
