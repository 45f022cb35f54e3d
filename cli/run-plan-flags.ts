import type { RunPlanOptions } from '../harness/run-plan/run-plan-options.js';
import type { Split } from '../src/protocol/index.js';
import { browserChoiceOf } from './site-options.js';
import { siteNamed } from './site-registry.js';

/** The flags `collect`, `run` and `fidelity` share (commander keys), site flags included as they come. */
export interface RunCommandFlags extends Record<string, unknown> {
  env: string;
  fixture?: boolean;
  seed: number;
  schedule?: string;
  dreamEpisodes?: number;
  realCap?: number;
  ledger?: string;
  onBudgetExhausted?: 'stop' | 'dream';
  countResets?: boolean;
  model?: string;
  modelBaseUrl?: string;
  embed?: string;
  embedBaseUrl?: string;
  promptDir?: string;
  buffer?: string[];
  bufferMax?: number;
  bufferStream?: string;
  taskFile?: string;
  goals?: number[];
  split: Split;
  policy?: string;
  realPolicy?: string;
  policyBaseUrl?: string;
  actions?: string;
  episodes?: number;
  group?: number;
  concurrency: number;
  realConcurrency?: number;
  maxSteps?: number;
  shadow?: number;
  gamma?: number;
  rMax?: number;
  episodeTimeout?: number;
  restartBrowserAfter?: number;
  stepTimeout: number;
  resume?: boolean;
  fsync?: boolean;
  out: string;
  browserWs?: string[];
  browserWsFile?: string;
  browserCdp?: string;
  executable?: string;
}

/** A command's parsed flags as a run plan: the site from the registry, its own flags passed through. */
export const runPlanFromFlags = (command: RunPlanOptions['command'], flags: RunCommandFlags): RunPlanOptions => {
  const registered = siteNamed(flags.env);
  return {
    command,
    site: registered.definition,
    local: registered.local,
    siteFlags: flags,
    browser: browserChoiceOf(flags),
    seed: flags.seed,
    schedule: flags.schedule ?? 'real',
    dreamEpisodes: flags.dreamEpisodes,
    realCap: flags.realCap,
    ledger: flags.ledger,
    onBudgetExhausted: flags.onBudgetExhausted ?? 'stop',
    countResets: flags.countResets,
    model: flags.model ?? 'retrieval',
    modelBaseUrl: flags.modelBaseUrl,
    embed: flags.embed ?? 'hashed',
    embedBaseUrl: flags.embedBaseUrl,
    promptDir: flags.promptDir,
    buffer: flags.buffer ?? [],
    bufferMax: flags.bufferMax,
    bufferStream: flags.bufferStream,
    taskFile: flags.taskFile,
    taskIds: flags.goals?.map(String),
    split: flags.split,
    policy: flags.policy,
    realPolicy: flags.realPolicy,
    policyBaseUrl: flags.policyBaseUrl,
    actions: flags.actions,
    episodes: flags.episodes,
    group: flags.group ?? 1,
    concurrency: flags.concurrency,
    realConcurrency: flags.realConcurrency,
    maxSteps: flags.maxSteps,
    shadow: flags.shadow,
    gamma: flags.gamma,
    rMax: flags.rMax,
    episodeTimeout: flags.episodeTimeout,
    restartBrowserAfter: flags.restartBrowserAfter,
    stepTimeout: flags.stepTimeout,
    resume: flags.resume,
    fsync: flags.fsync,
    out: flags.out,
  };
};
