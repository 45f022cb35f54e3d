/**
 * Samples of a Prometheus text exposition (format 0.0.4), written from the format's description:
 * `name{label="value",…} number` lines, comments (`# HELP`, `# TYPE`) skipped. Keys are the
 * metric name with its labels sorted, e.g. `dreambridge_sessions{mode="dream"}`.
 */
export const parsePrometheusText = (text: string): Map<string, number> => {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels = [...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map(([, k, v]) => `${k}="${v}"`).sort();
    const value = match[3] === '+Inf' ? Infinity : match[3] === '-Inf' ? -Infinity : Number(match[3]);
    samples.set(labels.length > 0 ? `${match[1]}{${labels.join(',')}}` : match[1]!, value);
  }
  return samples;
};
