import { Command } from 'commander';
import type { EvaluateFlags } from './evaluate-run.js';
import { intOption } from './parse-int-option.js';

/** Command definitions stay light; evaluators and the LLM client load only when it runs. */
const runEvaluateCommand = async (flags: EvaluateFlags): Promise<void> => {
  await (await import('./evaluate-run.js')).runEvaluate(flags);
};

export const evaluateCommand = (): Command =>
  new Command('evaluate')
    .description(
      "score WebArena answers without a browser: string_match and url_match as WebArena does; program_html tasks are reported needs_live_site, tasks missing a site URL needs_placeholder, unknown helpers unsupported",
    )
    .requiredOption('--configs <file>', 'WebArena task configs (e.g. test.raw.json)')
    .requiredOption('--answers <file>', 'JSONL, one {"task_id", "answer", "url"} per line')
    .option('--sites <list>', 'site URLs for the placeholders, e.g. shopping=http://host:7770,reddit=http://host:9999 (default: SHOPPING, REDDIT, … env vars)')
    .option('--judge <judge>', 'LLM judge for fuzzy_match, openai:NAME (default: exact-match fallback, labelled judge "none")')
    .option('--judge-base-url <url>', 'OpenAI-compatible endpoint of the judge (default: OPENAI_BASE_URL)')
    .option('--judge-timeout <ms>', 'timeout of each judge request', intOption(100), 60_000)
    .option('--strict-url', 'url_match bases must be equal (WebArena: reference contained in the prediction)')
    .option('--strict-webarena', 'must_include exactly as WebArena, "$0.00" failing "0" included (webarena #211)')
    .option('--out <file>', 'write the JSONL results here instead of stdout')
    .action(runEvaluateCommand);
