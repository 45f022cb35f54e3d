import { Command, InvalidArgumentError, Option } from 'commander';
import type { ExportFormat } from '../harness/export/export-format.js';
import type { TaskSplit } from '../harness/export/export-selection.js';
import { numberOption } from './number-option.js';
import { intOption } from './parse-int-option.js';

interface ExportFlags {
  format: ExportFormat;
  from: string[];
  out: string;
  split: 'train' | 'eval' | 'test' | 'all';
  onlySuccess?: boolean;
  minReward?: number;
  includeDream?: boolean;
  promptDir?: string;
  k?: number;
  historyLength?: number;
}

const FORMATS: readonly ExportFormat[] = ['messages', 'iwm', 'reflection', 'experience-sft', 'agenttraj', 'eto', 'eto-pairs', 'sharegpt'];

const splitsOf = (split: ExportFlags['split']): TaskSplit[] => (split === 'all' ? ['train', 'eval', 'test', 'unsplit'] : [split]);

const runExportCommand = async (flags: ExportFlags): Promise<void> => {
  const [{ runExport }, { exportSiteOf }] = await Promise.all([import('../harness/export/run-export.js'), import('./export-site.js')]);
  const result = await runExport({
    format: flags.format,
    from: flags.from,
    out: flags.out,
    filters: { splits: splitsOf(flags.split), onlySuccess: flags.onlySuccess ?? false, minReward: flags.minReward, includeDream: flags.includeDream ?? false },
    resolveSite: exportSiteOf,
    commandLine: ['dreambridge', ...process.argv.slice(2)],
    promptDir: flags.promptDir,
    k: flags.k,
    historyLength: flags.historyLength,
  });
  const { counts } = result.card;
  const left = Object.values(counts.skipped).reduce((s, n) => s + n, 0);
  console.log(`${flags.format}: ${counts.records} records over ${counts.tasks} tasks (real ${counts.by_source.real}, human ${counts.by_source.human}, branch ${counts.by_source.branch}, dream ${counts.by_source.dream}); ${left} left out (see the card)`);
  console.log(`file: ${result.file}`);
  console.log(`card: ${result.cardFile}, ${result.markdownFile}`);
  if (result.datasetInfoFile !== undefined) console.log(`LLaMA-Factory dataset_info: ${result.datasetInfoFile}`);
};

const formatOption = (value: string): ExportFormat => {
  if (!(FORMATS as readonly string[]).includes(value)) throw new InvalidArgumentError(`"${value}": expected one of ${FORMATS.join(', ')}.`);
  return value as ExportFormat;
};

/** `dreambridge export --format F --from DIR… --out FILE`. */
export const exportCommand = (): Command =>
  new Command('export')
    .description("training data in trainers' formats from run and annotation directories, with a dataset card beside the file")
    .requiredOption('--format <format>', `one of ${FORMATS.join(', ')}`, formatOption)
    .requiredOption('--from <dirs...>', 'run directories (collect, run, branch, import webshop-sessions) and annotation directories (annotate)')
    .requiredOption('--out <file>', 'the file to write (the card goes to FILE.card.json and FILE.md)')
    .addOption(new Option('--split <split>', 'tasks of this split only (test tasks never go in unless named)').choices(['train', 'eval', 'test', 'all']).default('train'))
    .option('--only-success', 'successful episodes only')
    .option('--min-reward <r>', 'episodes whose total reward is at least R', numberOption(-1e9, 1e9))
    .option('--include-dream', 'dreamed transitions also go into experience-sft, iwm and reflection (real only by default)')
    .option('--prompt-dir <dir>', "experience-sft: the experience model's template overrides (as given to run --prompt-dir)")
    .option('--k <k>', 'experience-sft: demonstrations per record (default 4, the experience model\'s)', intOption(0, 64))
    .option('--history-length <h>', "experience-sft: history steps shown (default 4, the experience model's)", intOption(0, 100))
    .action(runExportCommand);
