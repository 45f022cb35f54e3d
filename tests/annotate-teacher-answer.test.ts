import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANNOTATE_DEFAULTS } from '../harness/annotate/annotate-defaults.js';
import { loadAnnotationTemplates } from '../harness/annotate/annotation-prompts.js';
import { checkReasoningAnswer, checkReflectionAnswer, statedRewards } from '../harness/annotate/teacher-answer.js';
import { EXPERIENCE_MODEL_DEFAULTS } from '../src/dream/openai-experience-model.js';

describe('the teacher answer checks', () => {
  it('accepts a tagged, non-empty reasoning whose reward agrees with the recorded one, and returns the text inside the tag, trimmed', () => {
    expect(checkReasoningAnswer('Sure.\n<reasoning>\n  Searching opens the results page.  \n</reasoning>\n<reward>0</reward>', 0)).toEqual({ ok: true, text: 'Searching opens the results page.' });
    expect(checkReasoningAnswer('<REASONING>Buying the matching item completes the task, so the reward is 0.75.</REASONING><reward>0.75</reward>', 0.75)).toEqual({
      ok: true,
      text: 'Buying the matching item completes the task, so the reward is 0.75.',
    });
    // The prompt shows 4 decimals: an answer repeating them agrees.
    expect(checkReasoningAnswer('<reasoning>Partial match.</reasoning><reward>0.6667</reward>', 2 / 3).ok).toBe(true);
  });

  it('refuses an untagged, unclosed, empty or reward-contradicting reasoning, saying why', () => {
    expect(checkReasoningAnswer('The search opens the results.', 0)).toEqual({ ok: false, reason: 'no <reasoning> tag in the answer' });
    expect(checkReasoningAnswer('<reasoning>The search opens', 0)).toEqual({ ok: false, reason: 'the <reasoning> section is not closed with </reasoning>' });
    expect(checkReasoningAnswer('<reasoning>  </reasoning><reward>0</reward>', 0)).toEqual({ ok: false, reason: 'the <reasoning> section is empty' });
    expect(checkReasoningAnswer('<reasoning>Opens results.</reasoning>', 0)).toEqual({ ok: false, reason: 'no <reward> tag in the answer' });
    expect(checkReasoningAnswer('<reasoning>Opens results.</reasoning><reward>none</reward>', 0)).toEqual({ ok: false, reason: '<reward> must hold one number, got "none"' });
    expect(checkReasoningAnswer('<reasoning>Buying completes the task.</reasoning><reward>1</reward>', 0)).toEqual({ ok: false, reason: '<reward>1</reward> contradicts the recorded reward 0' });
    // Claiming success in the text is refused even when the tag repeats the recorded reward.
    expect(checkReasoningAnswer('<reasoning>The purchase completes the task, so the reward is 1.</reasoning><reward>0</reward>', 0)).toEqual({
      ok: false,
      reason: 'the reasoning states a reward of 1, but the recorded reward is 0',
    });
  });

  it('reads the rewards a reasoning states, and only those', () => {
    expect(statedRewards('The reward is 0 because nothing was bought; a later reward of 1 needs a purchase. reward: 0.5, reward = 2')).toEqual([0, 1, 0.5, 2]);
    expect(statedRewards('No reward yet. The page shows 50 results.')).toEqual([]);
    // A hypothetical is not a claim about this step.
    expect(statedRewards('The reward would be 1 only after a matching purchase; a reward of 50% is not a score.')).toEqual([]);
  });

  it('accepts a closed, non-empty reflection and refuses anything else', () => {
    expect(checkReflectionAnswer('<reflection>The expert opens the item that matches; the alternatives lead elsewhere.</reflection>')).toEqual({
      ok: true,
      text: 'The expert opens the item that matches; the alternatives lead elsewhere.',
    });
    expect(checkReflectionAnswer('click[b0abc]')).toEqual({ ok: false, reason: 'no <reflection> tag in the answer' });
    expect(checkReflectionAnswer('<reflection></reflection>')).toEqual({ ok: false, reason: 'the <reflection> section is empty' });
  });
});

describe('the teacher prompt templates', () => {
  it('hash each file as used, per kind, and take overrides file by file', () => {
    const built = loadAnnotationTemplates('reasoning');
    expect(Object.keys(built.hashes).sort()).toEqual(['reasoning-demonstration.md', 'reasoning-history-step.md', 'reasoning-reask.md', 'reasoning-system.md', 'reasoning-user.md']);
    const file = new URL('../harness/annotate/prompts/reasoning-user.md', import.meta.url);
    expect(built.hashes['reasoning-user.md']).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
    const dir = mkdtempSync(join(tmpdir(), 'dreambridge-annotate-prompts-'));
    writeFileSync(join(dir, 'reflection-alternative.md'), 'alt {{index}}: {{action}} → {{next_state}}\n');
    const reflection = loadAnnotationTemplates('reflection', dir);
    expect(reflection.text['reflection-alternative.md']).toBe('alt {{index}}: {{action}} → {{next_state}}');
    expect(reflection.sources['reflection-alternative.md']).toBe(join(dir, 'reflection-alternative.md'));
    expect(reflection.hashes['reflection-alternative.md']).not.toBe(loadAnnotationTemplates('reflection').hashes['reflection-alternative.md']);
    expect(reflection.sources['reflection-user.md']).toBe('built-in');
  });

  it('refuse an unknown placeholder or file name with CONFIG_INVALID naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dreambridge-annotate-prompts-'));
    writeFileSync(join(dir, 'reasoning-user.md'), '{{state}} {{next_sate}}');
    expect(() => loadAnnotationTemplates('reasoning', dir)).toThrow(/reasoning-user\.md: unknown placeholder \{\{next_sate\}\}/);
    const typo = mkdtempSync(join(tmpdir(), 'dreambridge-annotate-prompts-'));
    writeFileSync(join(typo, 'reasonin-user.md'), '{{state}}');
    expect(() => loadAnnotationTemplates('reasoning', typo)).toThrow(/reasonin-user\.md is not a template name/);
    expect(() => loadAnnotationTemplates('reasoning', join(typo, 'missing'))).toThrow(/does not exist/);
  });

  it('show the teacher the history and demonstrations the experience model sees by default', () => {
    expect(ANNOTATE_DEFAULTS.historyLength).toBe(EXPERIENCE_MODEL_DEFAULTS.historyLength);
    expect(ANNOTATE_DEFAULTS.k).toBe(EXPERIENCE_MODEL_DEFAULTS.k);
  });
});
