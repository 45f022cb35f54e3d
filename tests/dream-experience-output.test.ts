import { describe, expect, it } from 'vitest';
import { parseExperienceOutput } from '../src/dream/experience-output.js';

describe('experience model output parsing', () => {
  it('reads a well-formed answer', () => {
    const parsed = parseExperienceOutput('<reasoning>The search runs.</reasoning>\n<next_state>Instruction: [SEP] x [SEP] Back to Search</next_state>\n<reward>0</reward>\n<done>false</done>');
    expect(parsed).toEqual({ ok: true, warnings: [], value: { reasoning: 'The search runs.', nextState: 'Instruction: [SEP] x [SEP] Back to Search', reward: 0, done: false } });
  });

  it('tolerates case, fences, missing closing tags and loose values, with warnings', () => {
    const parsed = parseExperienceOutput('```\n<Reasoning>bought</Reasoning>\n<NEXT_STATE>Thank you for shopping with us!\n<reward>reward: 0.75</reward><done>Yes.</done>\n```');
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.value).toEqual({ reasoning: 'bought', nextState: 'Thank you for shopping with us!', reward: 0.75, done: true });
    const partial = parseExperienceOutput('<next_state>Page</next_state><reward>high</reward>');
    expect(partial.ok && partial.warnings).toEqual(['unreadable <reward> "high": 0 assumed', 'no <done>: false assumed']);
    const clamped = parseExperienceOutput('<next_state>P</next_state><reward>7</reward><done>true</done>');
    expect(clamped.ok && clamped.value.reward).toBe(1);
  });

  it('refuses garbage without inventing a state', () => {
    expect(parseExperienceOutput('I think the page changes.')).toEqual({ ok: false, reason: 'no <next_state> section in the model output' });
    expect(parseExperienceOutput('<next_state>   </next_state>').ok).toBe(false);
  });
});
