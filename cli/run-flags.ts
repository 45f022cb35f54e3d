import type { Split } from '../src/protocol/index.js';

/** `dreambridge run` flags (see run-command.ts for their documentation and defaults). */
export interface RunFlags {
  env: string;
  fixture?: boolean;
  url?: string;
  /** WebArena: task configs, site URLs, storage-state folder, form logins, compact view. */
  configs?: string;
  sites?: string;
  authDir?: string;
  login?: string[];
  compact?: boolean;
  /** WebArena: LLM judge for fuzzy_match (`openai:NAME`) and its endpoint. */
  judge?: string;
  judgeBaseUrl?: string;
  goalCount?: number;
  seed: number;
  schedule: string;
  dreamEpisodes?: number;
  realCap?: number;
  ledger?: string;
  onBudgetExhausted: 'stop' | 'dream';
  countResets?: boolean;
  model: string;
  modelBaseUrl?: string;
  embed: string;
  embedBaseUrl?: string;
  promptDir?: string;
  buffer: string[];
  /** Replay-buffer cap (default DEFAULT_BUFFER_MAX). */
  bufferMax?: number;
  taskFile?: string;
  split: Split;
  policy?: string;
  realPolicy?: string;
  policyBaseUrl?: string;
  actions?: string;
  episodes: number;
  group: number;
  concurrency: number;
  realConcurrency?: number;
  maxSteps: number;
  shadow?: number;
  gamma?: number;
  rMax?: number;
  episodeTimeout?: number;
  /** Browser contexts per browser before it is restarted (bounds memory). Default 50. */
  restartBrowserAfter?: number;
  stepTimeout: number;
  resume?: boolean;
  fsync?: boolean;
  out: string;
  searchAnywhere?: boolean;
  observation: 'text' | 'text_rich';
  browserWs?: string;
  browserCdp?: string;
  executable?: string;
}
