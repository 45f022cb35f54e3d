import { escapeUTF8 as esc } from 'entities';
import { formatNumber } from './format-number.js';

/** Chart size in CSS pixels (the SVGs also scale with their container through viewBox). */
const WIDTH = 640;
const HEIGHT = 292;
const MARGIN = { top: 48, right: 16, bottom: 44, left: 52 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;

export interface Domain {
  min: number;
  max: number;
}

/** A dot; `weight` > 1 draws a larger dot labelled with its count (overlapping equal points). */
export interface ChartPoint {
  x: number;
  y: number;
  weight?: number;
}

export interface ChartSeries {
  name: string;
  color: string;
  points: readonly ChartPoint[];
  /** Join the points with a line (in x order) instead of drawing dots. */
  line?: boolean;
  dashed?: boolean;
}

export interface XYChartOptions {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly ChartSeries[];
  x: Domain;
  y: Domain;
  /** Integer ticks on x (step indexes). */
  integerX?: boolean;
}

const scale = (value: number, domain: Domain, size: number): number => {
  const span = domain.max - domain.min;
  return span === 0 ? size / 2 : ((value - domain.min) / span) * size;
};

const px = (value: number, domain: Domain): number => MARGIN.left + scale(value, domain, PLOT_W);
const py = (value: number, domain: Domain): number => MARGIN.top + PLOT_H - scale(value, domain, PLOT_H);
const r1 = (n: number): string => n.toFixed(1);

/** About five round ticks over a domain. */
export const ticks = (domain: Domain, integer = false): number[] => {
  const span = domain.max - domain.min;
  if (!(span > 0)) return [domain.min];
  const raw = span / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step0 = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const step = integer ? Math.max(1, Math.round(step0)) : step0;
  const out: number[] = [];
  for (let v = Math.ceil(domain.min / step) * step; v <= domain.max + step * 1e-9; v += step) out.push(Number(v.toFixed(10)));
  return out;
};

const frame = (id: string, title: string, body: string): string =>
  `<svg id="${esc(id)}" class="chart" role="img" aria-label="${esc(title)}" xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}">` +
  `<title>${esc(title)}</title><rect x="0" y="0" width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>` +
  `<text x="${WIDTH / 2}" y="20" text-anchor="middle" class="chart-title">${esc(title)}</text>${body}</svg>`;

/** Axes, y grid and tick labels; `x: undefined` for a categorical x axis (labels drawn by the caller). */
const axes = (x: Domain | undefined, y: Domain, xLabel: string, yLabel: string, integerX: boolean): string => {
  const parts: string[] = [];
  const bottom = MARGIN.top + PLOT_H;
  for (const t of ticks(y)) {
    const yy = r1(py(t, y));
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + PLOT_W}" y1="${yy}" y2="${yy}" class="grid"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${yy}" dy="0.32em" text-anchor="end" class="tick">${esc(formatNumber(t, 2))}</text>`);
  }
  const xTicks = x === undefined ? [] : ticks(x, integerX).map((t) => ({ t, xx: r1(px(t, x)) }));
  for (const { t, xx } of xTicks) {
    parts.push(`<line x1="${xx}" x2="${xx}" y1="${bottom}" y2="${bottom + 4}" class="axis"/>`);
    parts.push(`<text x="${xx}" y="${bottom + 16}" text-anchor="middle" class="tick">${esc(integerX ? String(t) : formatNumber(t, 2))}</text>`);
  }
  parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + PLOT_W}" y1="${bottom}" y2="${bottom}" class="axis"/>`);
  parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${bottom}" class="axis"/>`);
  parts.push(`<text x="${MARGIN.left + PLOT_W / 2}" y="${HEIGHT - 6}" text-anchor="middle" class="label">${esc(xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${MARGIN.top + PLOT_H / 2}) rotate(-90)" text-anchor="middle" class="label">${esc(yLabel)}</text>`);
  return parts.join('');
};

const legend = (series: readonly { name: string; color: string }[]): string =>
  series
    .map((s, i) => {
      const x = MARGIN.left + 8 + i * 150;
      return `<rect x="${x}" y="28" width="10" height="10" fill="${esc(s.color)}"/><text x="${x + 14}" y="37" class="legend">${esc(s.name)}</text>`;
    })
    .join('');

/** A scatter / line chart: dots (sized by weight) or polylines per series, with axes and a legend. */
export const xyChart = (options: XYChartOptions): string => {
  const { x, y } = options;
  const body: string[] = [axes(x, y, options.xLabel, options.yLabel, options.integerX ?? false)];
  for (const s of options.series) {
    if (s.line) {
      const pts = [...s.points].sort((a, b) => a.x - b.x).map((p) => `${r1(px(p.x, x))},${r1(py(p.y, y))}`);
      if (pts.length > 0) {
        body.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${esc(s.color)}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ''} class="series-line"/>`);
      }
      continue;
    }
    for (const p of s.points) {
      const weight = p.weight ?? 1;
      const radius = Math.min(14, 3 + 1.6 * Math.sqrt(weight - 1));
      body.push(
        `<circle cx="${r1(px(p.x, x))}" cy="${r1(py(p.y, y))}" r="${r1(radius)}" fill="${esc(s.color)}" fill-opacity="0.45" stroke="${esc(s.color)}" class="dot"><title>${esc(`${s.name}: (${formatNumber(p.x, 2)}, ${formatNumber(p.y, 3)})${weight > 1 ? ` ×${weight}` : ''}`)}</title></circle>`,
      );
    }
  }
  body.push(legend(options.series.filter((s) => !s.dashed)));
  return frame(options.id, options.title, body.join(''));
};

export interface BarGroup {
  label: string;
  /** Shown under the label (e.g. the step count). */
  caption: string;
  values: ReadonlyArray<{ value: number; low?: number; high?: number }>;
}

export interface BarChartOptions {
  id: string;
  title: string;
  yLabel: string;
  series: ReadonlyArray<{ name: string; color: string }>;
  groups: readonly BarGroup[];
  y: Domain;
}

/** Grouped bars (one per series within each group) with interval whiskers and group captions. */
export const barChart = (options: BarChartOptions): string => {
  const { y, groups, series } = options;
  const body: string[] = [axes(undefined, y, '', options.yLabel, false)];
  const slot = PLOT_W / Math.max(1, groups.length);
  const barW = Math.max(4, Math.min(36, (slot * 0.7) / Math.max(1, series.length)));
  const bottom = MARGIN.top + PLOT_H;
  groups.forEach((group, g) => {
    const centre = MARGIN.left + slot * (g + 0.5);
    const start = centre - (barW * series.length) / 2;
    group.values.forEach((v, i) => {
      const color = series[i]?.color ?? '#888';
      const top = py(Math.max(y.min, Math.min(y.max, v.value)), y);
      const bx = start + i * barW;
      body.push(`<rect x="${r1(bx)}" y="${r1(top)}" width="${r1(barW - 2)}" height="${r1(Math.max(0.5, bottom - top))}" fill="${esc(color)}" class="bar"><title>${esc(`${group.label} ${series[i]?.name ?? ''}: ${formatNumber(v.value)}`)}</title></rect>`);
      if (v.low !== undefined && v.high !== undefined) {
        const cx = r1(bx + (barW - 2) / 2);
        body.push(`<line x1="${cx}" x2="${cx}" y1="${r1(py(v.low, y))}" y2="${r1(py(v.high, y))}" class="whisker"/>`);
      }
    });
    body.push(`<text x="${r1(centre)}" y="${bottom + 15}" text-anchor="middle" class="tick">${esc(group.label)}</text>`);
    body.push(`<text x="${r1(centre)}" y="${bottom + 28}" text-anchor="middle" class="caption">${esc(group.caption)}</text>`);
  });
  body.push(legend(series));
  return frame(options.id, options.title, body.join(''));
};
