import { Command, InvalidArgumentError } from 'commander';
import type { FidelityFigure, FidelityReport } from '../src/fidelity/fidelity-report.js';
import { intOption } from './parse-int-option.js';

/** Flags of `dreambridge report`; defaults in the option definitions below. */
interface ReportFlags {
  gamma: number;
  rMax: number;
  horizon?: number;
  seed: number;
}

/** Commander parser for a finite number (range checks are the estimator's, with CONFIG_INVALID). */
const numberOption = (value: string): number => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`"${value}" is not a number.`);
  return n;
};

const f3 = (n: number): string => n.toFixed(3);

const figureLine = (name: string, f: FidelityFigure, confidence: number): string =>
  `${name} ${f3(f.mean)} [${f3(f.ci_low)}, ${f3(f.ci_high)}] (${Math.round(confidence * 100)}% CI), p95 ${f3(f.p95)}, max ${f3(f.max)} · ${f.n} steps, ${f.samples} samples`;

/** What `dreambridge report` prints: the headline figures, the bound and where the files are. */
export const formatFidelitySummary = (report: FidelityReport, paths: { htmlPath: string; jsonPath: string }): string => {
  const { discounted: d, finite_horizon: h } = report.bound;
  const lines = [
    figureLine('eps_R', report.eps_R, report.confidence),
    figureLine('eps_P', report.eps_P, report.confidence),
    `bound |J_M - J_dream| <= ${f3(d.sup)} (gamma ${d.gamma}, from max; average case ${f3(d.average_case)}); <= ${f3(h.sup)} (H ${h.horizon}, from max; average case ${f3(h.average_case)})`,
    `model ${report.model} (${report.model_kind}${report.model_kind === 'llm' ? '' : ': a lookup table over recorded transitions, not a learned model'}), key ${report.key_version}`,
  ];
  if (report.failed_predictions > 0) {
    lines.push(`failed predictions ${report.failed_predictions} (left out; ${report.steps_without_samples} steps without any sample)`);
  }
  lines.push(`report: ${paths.htmlPath}`, `fidelity.json: ${paths.jsonPath}`);
  return lines.join('\n');
};

const runReport = async (dir: string, flags: ReportFlags): Promise<void> => {
  // The report code loads only when the command runs: the CLI stays quick to start.
  const { writeFidelityOutputs } = await import('../harness/report/write-fidelity-outputs.js');
  const outputs = await writeFidelityOutputs(dir, {
    gamma: flags.gamma,
    rMax: flags.rMax,
    seed: flags.seed,
    ...(flags.horizon === undefined ? {} : { horizon: flags.horizon }),
  });
  console.log(formatFidelitySummary(outputs.report, outputs));
};

export const reportCommand = (): Command =>
  new Command('report')
    .description('rebuild fidelity.json and report.html of a run directory from its shadow.jsonl: eps_R and eps_P with intervals, per page type, and the simulation-lemma bound')
    .argument('<dir>', 'run directory holding shadow.jsonl (written by a run with --shadow K)')
    .option('--gamma <g>', 'discount of the bound\'s gamma form, 0 <= g < 1', numberOption, 0.9)
    .option('--r-max <r>', 'largest one-step reward R_max', numberOption, 1)
    .option('--horizon <h>', 'H of the finite-horizon form (default: the manifest\'s max_steps, else 15)', intOption(1))
    .option('--seed <n>', 'seed of the bootstrap resampling', intOption(0), 0)
    .action(runReport);
