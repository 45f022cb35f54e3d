import { escapeUTF8 as esc } from 'entities';
import type { ShadowLine, ShadowSample } from '../../src/protocol/index.js';
import { formatNumber } from './format-number.js';

/** A real step chosen for display, with the dreamed sample that strays furthest from it. */
export interface WorstTransition {
  line: ShadowLine;
  sample: ShadowSample;
  tvHat: number;
  epsR: number;
}

/** Characters of a state text shown in the report (a WebArena tree can be very long). */
const MAX_TEXT_CHARS = 4000;

const meanAbs = (line: ShadowLine): number =>
  line.samples.reduce((sum, s) => sum + Math.abs(s.reward - line.reward_real), 0) / line.samples.length;

/**
 * The `count` steps the model got most wrong: highest tv_hat, then highest ε_R, then lowest text
 * similarity (both recomputed from the samples). Each comes with its worst sample: a mismatching
 * one first, and among those the least similar text.
 */
export const worstTransitions = (lines: readonly ShadowLine[], count = 8): WorstTransition[] => {
  const scored = lines
    .filter((l) => l.samples.length > 0)
    .map((line) => {
      const tvHat = line.samples.filter((s) => s.key !== line.key_real).length / line.samples.length;
      const ranked = [...line.samples].sort(
        (a, b) => Number(b.key !== line.key_real) - Number(a.key !== line.key_real) || a.text_similarity - b.text_similarity,
      );
      return { line, sample: ranked[0] as ShadowSample, tvHat, epsR: meanAbs(line) };
    });
  scored.sort((a, b) => b.tvHat - a.tvHat || b.epsR - a.epsR || a.sample.text_similarity - b.sample.text_similarity);
  return scored.slice(0, count).filter((w) => w.tvHat > 0 || w.epsR > 0);
};

const clip = (text: string): string => (text.length > MAX_TEXT_CHARS ? `${text.slice(0, MAX_TEXT_CHARS)}\n… (${text.length - MAX_TEXT_CHARS} more characters)` : text);

/** Distinct predicted keys with how many samples gave each. */
const keyCounts = (line: ShadowLine): string =>
  [...line.samples.reduce((m, s) => m.set(s.key, (m.get(s.key) ?? 0) + 1), new Map<string, number>())]
    .map(([key, n]) => `<code class="${key === line.key_real ? 'match' : 'miss'}">${esc(key)}</code> ×${n}`)
    .join(', ');

/** The side-by-side section: real next state on the left, the dreamed one on the right (all escaped). */
export const renderWorstTransitions = (worst: readonly WorstTransition[]): string => {
  if (worst.length === 0) return '<p>No step with a transition or reward error: every sample matched the real next state.</p>';
  return worst
    .map((w, i) => {
      const { line, sample } = w;
      return `<article class="transition" id="worst-${i}">
<h3>${i + 1}. ${esc(line.page_type)} → <code>${esc(line.action)}</code></h3>
<p class="meta">episode <code>${esc(line.episode_id)}</code>, step ${line.step}, task ${esc(line.task_id)} · tv_hat ${formatNumber(w.tvHat)} · ε_R ${formatNumber(w.epsR)} · similarity of the sample shown ${formatNumber(sample.text_similarity)}</p>
<p class="meta">predicted keys: ${keyCounts(line)}</p>
<div class="pair">
<div><h4>real next state</h4><p class="meta">key <code>${esc(line.key_real)}</code> · reward ${formatNumber(line.reward_real)} · done ${String(line.done_real)}</p><pre>${esc(clip(line.real_text))}</pre></div>
<div><h4>dreamed next state</h4><p class="meta">key <code>${esc(sample.key)}</code> · reward ${formatNumber(sample.reward)} · done ${String(sample.done)}</p><pre>${esc(clip(sample.text))}</pre>${sample.reasoning === '' ? '' : `<details><summary>model reasoning</summary><pre>${esc(clip(sample.reasoning))}</pre></details>`}</div>
</div>
</article>`;
    })
    .join('\n');
};
