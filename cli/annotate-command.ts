import { Command, Option } from 'commander';
import { ConfigInvalidError } from '../src/env/errors.js';
import type { EnvName, SiteProfile } from '../src/protocol/index.js';
import { ANNOTATE_DEFAULTS as D } from '../harness/annotate/annotate-defaults.js';
import { numberOption } from './number-option.js';
import { intOption } from './parse-int-option.js';
import { siteNamed } from './site-registry.js';

interface AnnotateFlags {
  kind: 'reasoning' | 'reflection';
  teacher: string;
  teacherBaseUrl?: string;
  teacherApiKeyEnv?: string;
  from: string[];
  out: string;
  concurrency: number;
  resume?: boolean;
  promptDir?: string;
  history: number;
  topK: number;
  maxReasks: number;
  temperature: number;
  maxTokens: number;
  embed: string;
  embedBaseUrl?: string;
}

/** The profile of a recorded site, as a dream run builds it when no site is named (text rules only; nothing is opened). */
const profileFor = async (env: EnvName): Promise<SiteProfile> => {
  const { definition } = siteNamed(env);
  return definition.profile({}, await definition.facts({}), definition.defaults.maxSteps);
};

/** `--teacher-api-key-env VAR`: the key is read from that variable, never taken on the command line (it would land in the manifest). */
const apiKeyOf = (name: string | undefined): string | undefined => {
  if (name === undefined) return undefined;
  const value = process.env[name];
  if (value === undefined || value === '') throw new ConfigInvalidError(`--teacher-api-key-env ${name}: the variable ${name} is not set`);
  return value;
};

const runAnnotateCommand = async (flags: AnnotateFlags): Promise<void> => {
  const [{ executeAnnotatePlan }, { withInterrupt }, { createLogger }] = await Promise.all([import('../harness/annotate/annotate-plan.js'), import('./interrupt.js'), import('./logger.js')]);
  const logger = createLogger('annotate');
  const teacherApiKey = apiKeyOf(flags.teacherApiKeyEnv);
  const outcome = await withInterrupt(logger, (signal) =>
    executeAnnotatePlan(
      {
        kind: flags.kind, teacher: flags.teacher, teacherBaseUrl: flags.teacherBaseUrl, teacherApiKey, from: flags.from, out: flags.out,
        concurrency: flags.concurrency, resume: flags.resume, promptDir: flags.promptDir, historyLength: flags.history, k: flags.topK,
        maxReasks: flags.maxReasks, temperature: flags.temperature, maxTokens: flags.maxTokens, embed: flags.embed, embedBaseUrl: flags.embedBaseUrl, profileFor,
      },
      logger,
      signal,
    ),
  );
  const { counts } = outcome;
  console.log(`${flags.kind}: ${counts.items}/${outcome.planned} items annotated (${counts.ok} ok, ${counts.failed} failed); ${outcome.written} written by this run`);
  if (outcome.unasked > 0) console.log(`${outcome.unasked} item${outcome.unasked === 1 ? '' : 's'} not asked${outcome.stopped ? ` (${outcome.stopped})` : ''}: --resume asks them`);
  console.log(`annotation directory: ${outcome.dir}`);
  if (outcome.stopped === 'interrupted') process.exitCode = 130;
};

export const annotateCommand = (): Command =>
  new Command('annotate')
    .description('teacher annotation of recorded real data: reasoning traces of real transitions (DreamGym) or reflections on branched expert states (Early Experience)')
    .addOption(new Option('--kind <kind>', 'reasoning: why each real transition leads to its next state and reward; reflection: why the expert action beats the branched alternatives').choices(['reasoning', 'reflection']).makeOptionMandatory())
    .requiredOption('--teacher <teacher>', 'the teacher LLM, openai:NAME on an OpenAI-compatible endpoint')
    .option('--teacher-base-url <url>', 'OpenAI-compatible endpoint of the teacher (default OPENAI_BASE_URL, else OpenAI)')
    .option('--teacher-api-key-env <var>', 'environment variable holding the teacher\'s API key (default OPENAI_API_KEY)')
    .requiredOption('--from <dirs...>', 'run directories: collect/run/import for reasoning, branch for reflection')
    .requiredOption('--out <dir>', 'the annotation directory (a non-empty one is refused unless --resume)')
    .option('--concurrency <n>', 'items asked at once', intOption(1, 256), D.concurrency)
    .option('--resume', 'continue in a non-empty annotation directory: finished items (ok or failed) are never asked again')
    .option('--prompt-dir <dir>', 'a directory whose reasoning-*.md / reflection-*.md templates replace the built-in ones of the same name')
    .option('--history <h>', 'reasoning: steps of the episode\'s history shown', intOption(0, 100), D.historyLength)
    .option('--top-k <k>', 'reasoning: retrieved transitions shown as demonstrations (the experience model\'s retrieval, without the transition\'s own episode)', intOption(0, 100), D.k)
    .option('--max-reasks <n>', 'further asks after a refused answer, before the item is recorded as failed', intOption(0, 10), D.maxReasks)
    .option('--temperature <t>', 'sampling temperature of the teacher', numberOption(0, 2), D.temperature)
    .option('--max-tokens <n>', 'most tokens of one answer', intOption(1, 1_000_000), D.maxTokens)
    .option('--embed <embed>', 'reasoning: retrieval embeddings, hashed or openai:NAME (as the experience model\'s --embed)', 'hashed')
    .option('--embed-base-url <url>', 'OpenAI-compatible endpoint of --embed openai:NAME (default OPENAI_BASE_URL)')
    .action(runAnnotateCommand);
