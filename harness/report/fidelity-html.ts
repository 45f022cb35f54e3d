import { escapeUTF8 as esc } from 'entities';
import type { FidelityFigure, FidelityReport } from '../../src/fidelity/fidelity-report.js';
import { stepDelta, type StepDelta } from '../../src/fidelity/step-delta.js';
import type { ShadowLine } from '../../src/protocol/index.js';
import { formatNumber } from './format-number.js';
import { barChart, xyChart, type ChartPoint } from './svg-charts.js';
import { renderWorstTransitions, worstTransitions } from './worst-transitions.js';

/** Options of `renderFidelityHtml`. */
export interface FidelityHtmlOptions {
  /** The run directory, shown in the header. */
  dir: string;
  /** Shown in the header. Default: now. */
  generatedAt?: string;
  /** Worst transitions shown side by side. Default 8. */
  worst?: number;
}

const COLORS = { epsR: '#2b6cb0', epsP: '#dd6b20', calib: '#2f855a', ideal: '#718096' } as const;

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1100px;padding:0 16px;color:#1a202c}
h1{font-size:22px;margin-bottom:4px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #e2e8f0;padding-bottom:4px}
h3{font-size:15px;margin:8px 0}h4{margin:4px 0;font-size:13px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #e2e8f0;padding:4px 10px;text-align:right}th:first-child,td:first-child{text-align:left}
th{background:#f7fafc}.meta{color:#4a5568;font-size:12px;margin:2px 0}.note{background:#fffbea;border-left:4px solid #d69e2e;padding:8px 12px}
.charts{display:flex;flex-wrap:wrap;gap:16px}.chart{max-width:100%;height:auto;border:1px solid #e2e8f0}
.chart-title{font-size:14px;font-weight:600}.tick,.caption,.legend{font-size:11px;fill:#4a5568}.label{font-size:12px;fill:#2d3748}
.grid{stroke:#edf2f7}.axis{stroke:#a0aec0}.whisker{stroke:#1a202c;stroke-width:1.5}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:12px}.pair pre{white-space:pre-wrap;word-break:break-word;background:#f7fafc;border:1px solid #e2e8f0;padding:8px;max-height:360px;overflow:auto;font-size:12px}
.transition{border-top:1px dashed #cbd5e0;padding-top:8px;margin-top:12px}code.match{color:#276749}code.miss{color:#c53030}
`;

const interval = (f: FidelityFigure): string => `[${formatNumber(f.ci_low)}, ${formatNumber(f.ci_high)}]`;

const figureRow = (name: string, f: FidelityFigure, method: string): string =>
  `<tr><td>${name}</td><td>${formatNumber(f.mean)}</td><td>${interval(f)}</td><td>${formatNumber(f.p95)}</td><td>${formatNumber(f.max)}</td><td>${f.n}</td><td>${f.samples}</td><td>${esc(method)}</td></tr>`;

/** Equal points merged into one weighted dot (tv_hat and rewards take few distinct values). */
const bubbles = (points: readonly { x: number; y: number }[]): ChartPoint[] => {
  const merged = new Map<string, ChartPoint & { weight: number }>();
  for (const p of points) {
    const key = `${p.x.toFixed(3)}|${p.y.toFixed(3)}`;
    const found = merged.get(key);
    if (found) found.weight += 1;
    else merged.set(key, { x: p.x, y: p.y, weight: 1 });
  }
  return [...merged.values()];
};

const meanByStep = (deltas: readonly StepDelta[], pick: (d: StepDelta) => number): ChartPoint[] => {
  const sums = new Map<number, { sum: number; n: number }>();
  for (const d of deltas) {
    const s = sums.get(d.step) ?? { sum: 0, n: 0 };
    s.sum += pick(d);
    s.n += 1;
    sums.set(d.step, s);
  }
  return [...sums].map(([x, s]) => ({ x, y: s.sum / s.n }));
};

const errorsOverSteps = (deltas: readonly StepDelta[]): string => {
  const maxStep = Math.max(1, ...deltas.map((d) => d.step));
  const yMax = Math.max(1, ...deltas.map((d) => d.eps_R));
  return xyChart({
    id: 'chart-errors-over-steps',
    title: 'Per-step errors against the step index (dots: steps, lines: means)',
    xLabel: 'step index in the episode',
    yLabel: 'error',
    integerX: true,
    x: { min: 0, max: maxStep },
    y: { min: 0, max: yMax },
    series: [
      { name: 'ε_R = mean |r̂ − r|', color: COLORS.epsR, points: bubbles(deltas.map((d) => ({ x: d.step, y: d.eps_R }))) },
      { name: 'tv_hat = 1 − P̂(real)', color: COLORS.epsP, points: bubbles(deltas.map((d) => ({ x: d.step, y: d.tv_hat }))) },
      { name: 'mean ε_R', color: COLORS.epsR, points: meanByStep(deltas, (d) => d.eps_R), line: true, dashed: true },
      { name: 'mean tv_hat', color: COLORS.epsP, points: meanByStep(deltas, (d) => d.tv_hat), line: true, dashed: true },
    ],
  });
};

const pageTypeBars = (report: FidelityReport): string => {
  const groups = Object.entries(report.by_page_type).map(([pageType, g]) => ({
    label: pageType,
    caption: `${g.steps} step${g.steps === 1 ? '' : 's'}`,
    values: [
      { value: g.eps_R.mean, low: g.eps_R.ci_low, high: g.eps_R.ci_high },
      { value: g.eps_P.mean, low: g.eps_P.ci_low, high: g.eps_P.ci_high },
    ],
  }));
  const yMax = Math.max(1, ...Object.values(report.by_page_type).map((g) => g.eps_R.ci_high));
  return barChart({
    id: 'chart-page-types',
    title: 'Mean errors per page type (whiskers: intervals)',
    yLabel: 'mean error',
    y: { min: 0, max: yMax },
    series: [
      { name: 'ε_R', color: COLORS.epsR },
      { name: 'ε_P', color: COLORS.epsP },
    ],
    groups,
  });
};

const rewardCalibration = (lines: readonly ShadowLine[], rMax: number): string => {
  const points = lines.flatMap((l) => l.samples.map((s) => ({ x: l.reward_real, y: s.reward })));
  const values = points.flatMap((p) => [p.x, p.y]);
  const domain = { min: Math.min(0, ...values), max: Math.max(rMax, ...values) };
  return xyChart({
    id: 'chart-reward-calibration',
    title: 'Reward calibration: predicted against real reward (dot size: samples)',
    xLabel: 'real reward r',
    yLabel: 'predicted reward r̂',
    x: domain,
    y: domain,
    series: [
      { name: 'samples', color: COLORS.calib, points: bubbles(points) },
      { name: 'r̂ = r', color: COLORS.ideal, points: [{ x: domain.min, y: domain.min }, { x: domain.max, y: domain.max }], line: true, dashed: true },
    ],
  });
};

const boundTable = (report: FidelityReport): string => {
  const { discounted: d, finite_horizon: h } = report.bound;
  return `<table id="bound"><tr><th>form</th><th>from max (sup)</th><th>average case (from mean)</th><th>trivial bound</th></tr>
<tr><td>γ = ${formatNumber(d.gamma, 3)}: <code>${esc(d.formula)}</code></td><td>${formatNumber(d.sup)}</td><td>${formatNumber(d.average_case)}</td><td>${formatNumber(d.trivial)}</td></tr>
<tr><td>H = ${h.horizon}: <code>${esc(h.formula)}</code></td><td>${formatNumber(h.sup)}</td><td>${formatNumber(h.average_case)}</td><td>${formatNumber(h.trivial)}</td></tr></table>
<p class="meta">R_max = ${formatNumber(report.r_max, 3)}. The lemma bounds |J_M(π) − J_M̂(π)|, the gap between a policy's return in the real site and in the dream, with the sup of the errors over (s, a); "from max" plugs in the largest per-step error observed. The average case plugs in the means: not a guarantee, an on-distribution estimate for the states the measured policy visited. A figure above the trivial bound says nothing.</p>`;
};

const pageTypeTable = (report: FidelityReport): string =>
  `<table id="page-types"><tr><th>page type</th><th>steps</th><th>samples</th><th>ε_R mean</th><th>ε_R interval</th><th>ε_R max</th><th>ε_P mean</th><th>ε_P interval</th><th>ε_P max</th></tr>
${Object.entries(report.by_page_type)
  .map(([t, g]) => `<tr><td>${esc(t)}</td><td>${g.steps}</td><td>${g.samples}</td><td>${formatNumber(g.eps_R.mean)}</td><td>${interval(g.eps_R)}</td><td>${formatNumber(g.eps_R.max)}</td><td>${formatNumber(g.eps_P.mean)}</td><td>${interval(g.eps_P)}</td><td>${formatNumber(g.eps_P.max)}</td></tr>`)
  .join('\n')}</table>`;

const retrievalNote = (report: FidelityReport): string =>
  report.model_kind === 'llm'
    ? ''
    : `<p class="note" id="retrieval-note">The experience model ${report.model_kind === 'mixed' ? 'includes' : 'is'} the embedded <strong>retrieval</strong> model: a lookup table over recorded transitions, not a learned model. Its figures measure how often a recorded neighbour happens to be the right answer; they say nothing about an LLM experience model (configure one with <code>--model openai:NAME</code>).</p>`;

const failures = (report: FidelityReport): string =>
  report.failed_predictions === 0
    ? '<p>No prediction failed.</p>'
    : `<p>${report.failed_predictions} prediction${report.failed_predictions === 1 ? '' : 's'} failed and ${report.failed_predictions === 1 ? 'is' : 'are'} left out of every figure; ${report.steps_without_samples} step${report.steps_without_samples === 1 ? '' : 's'} had no successful prediction at all.</p>
<ul>${report.errors.map((e) => `<li><code>${esc(e)}</code></li>`).join('')}</ul>`;

/**
 * The self-contained fidelity report: headline figures with intervals, the bound, inline SVG
 * plots (errors over steps, per page type, reward calibration) and the worst transitions with
 * real and dreamed states side by side. No script, no external resource; every text from the
 * data is escaped (state texts are web pages and model output).
 */
export const renderFidelityHtml = (report: FidelityReport, lines: readonly ShadowLine[], options: FidelityHtmlOptions): string => {
  const deltas = lines.map(stepDelta).filter((d): d is StepDelta => d !== undefined);
  const confidence = `${Math.round(report.confidence * 100)}%`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>dreambridge fidelity: ${esc(report.model)}</title><style>${STYLE}</style></head>
<body>
<h1>Experience-model fidelity</h1>
<p class="meta">model <strong>${esc(report.model)}</strong> (${esc(report.model_kind)}) · canonical key ${esc(report.key_version)} · run directory <code>${esc(options.dir)}</code> · ${esc(options.generatedAt ?? new Date().toISOString())}</p>
${retrievalNote(report)}
<h2>Headline figures</h2>
<table id="headline"><tr><th>error</th><th>mean</th><th>${confidence} interval</th><th>p95</th><th>max</th><th>steps</th><th>samples</th><th>interval method</th></tr>
${figureRow('ε_R (reward)', report.eps_R, `percentile bootstrap of the mean, ${report.bootstrap_resamples} resamples, seed ${report.seed}`)}
${figureRow('ε_P (transition, TV)', report.eps_P, `Wilson on the pooled mismatch share, design effect ${formatNumber(report.eps_P_design_effect, 2)}`)}
</table>
<p class="meta">Per real step, ε_R = mean over the K samples of |r̂ − r| and tv_hat = 1 − P̂(canonical real next state): the share of samples whose canonical key differs from the real one (real transitions are deterministic, so TV to a point mass is this). Means, p95 and max are over ${report.steps} steps (${report.lines} shadowed); the max stands in for the lemma's sup.</p>
<h2>Bound on the return gap</h2>
${boundTable(report)}
<h2>Plots</h2>
<div class="charts">
${errorsOverSteps(deltas)}
${pageTypeBars(report)}
${rewardCalibration(lines, report.r_max)}
</div>
<h2>Per page type</h2>
<p class="meta">Page type of the state the action was taken in.</p>
${pageTypeTable(report)}
<h2>Worst transitions</h2>
${renderWorstTransitions(worstTransitions(lines, options.worst ?? 8))}
<h2>Failed predictions</h2>
${failures(report)}
</body></html>
`;
};
