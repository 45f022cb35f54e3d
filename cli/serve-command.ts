import { Command, Option } from 'commander';
import { addEnvOption, addSiteOptions } from './site-options.js';
import { intOption } from './parse-int-option.js';
import type { ServeFlags } from './serve-run.js';
import { DEFAULT_BUFFER_MAX } from '../src/dream/default-buffer-max.js';
import { defaultMaxRealSessions } from '../src/server/default-max-real-sessions.js';
import { DEFAULT_MAX_SESSION_RECORDS } from '../src/server/session-manager.js';

const repeatable = (value: string, all: string[] = []): string[] => [...all, ...value.split(',').map((v) => v.trim()).filter(Boolean)];

/** `dreambridge serve`: the environment server for trainers (OpenEnv WS/HTTP, AgentGym routes). */
export const serveCommand = (): Command =>
  addSiteOptions(
    addEnvOption(new Command('serve')
      .description('serve real and/or dreamed environments to trainers: OpenEnv (WS /ws, HTTP /reset /step /state) and AgentGym routes (/agentgym)'))
      .addOption(new Option('--mode <mode>', 'which environments sessions may reset into').choices(['real', 'dream', 'both']).default('both'))
      .option('--model <model>', 'experience model for dream sessions: retrieval (embedded, over --buffer) or openai:NAME', 'retrieval')
      .option('--model-base-url <url>', 'OpenAI-compatible endpoint of the experience model (default: OPENAI_BASE_URL)')
      .option('--embed <embed>', 'embedder of the buffer: hashed (embedded) or openai:NAME')
      .option('--embed-base-url <url>', 'OpenAI-compatible endpoint of the embedder (default: OPENAI_BASE_URL)')
      .option('--buffer <path>', 'recorded transitions for dreams: a run directory or a transitions JSONL (repeatable)', repeatable)
      .option('--buffer-max <n>', 'replay-buffer cap in transitions (recorded + served); past it the oldest dream transition goes first, then the oldest', intOption(1), DEFAULT_BUFFER_MAX)
      .option('--buffer-stream <url>', 'share served transitions with other servers: redis://[user:password@]host:port[/db]#STREAM (each appends its own and retrieves everyone\'s; a late starter catches up)')
      .option('--port <n>', 'port; 0 picks a free one', intOption(0, 65535), 8000)
      .option('--host <host>', 'interface to bind (a non-loopback one needs --token or --insecure)', '127.0.0.1')
      .option('--token <token>', 'token required on HTTP and WS: Authorization: Bearer T, or base URL http://host:port/t/T (default: DREAMBRIDGE_TOKEN)')
      .option('--insecure', 'allow a non-loopback bind without a token')
      .option('--allow-origin <origin>', 'browser origin allowed to connect, e.g. http://localhost:8888 (repeatable; requests without Origin are always allowed)', repeatable)
      .option('--max-sessions <n>', 'sessions holding an environment at once (dream and real; released ones do not count); past it: CAPACITY_REACHED', intOption(1, 100_000), 1024)
      .option('--max-real-sessions <n>', `sessions holding a browser context at once; past it: CAPACITY_REACHED (default min(4 × cores, (memory − 1 GiB) / 256 MiB), here ${defaultMaxRealSessions()})`, intOption(1, 10_000))
      .option('--max-session-records <n>', 'session ids kept for later resets (open and released); past it the least recently used released one is forgotten', intOption(1, 10_000_000), DEFAULT_MAX_SESSION_RECORDS)
      .addOption(new Option('--agentgym-mode <mode>', 'mode of AgentGym envs created without a body (POST /agentgym/create); default real (dream with --mode dream)').choices(['real', 'dream']))
      .option('--real-cap <n>', 'real-interaction cap (with --ledger, kept across runs and processes)', intOption(0))
      .option('--ledger <file>', 'the persistent real-interaction ledger (created with --real-cap when missing): a file, or redis://[user:password@]host:port[/db]#KEY shared by many machines')
      .addOption(new Option('--on-budget-exhausted <what>', 'past the cap: stop (REAL_BUDGET_EXHAUSTED) or dream (sessions go on in the experience model)').choices(['stop', 'dream']).default('stop'))
      .option('--count-resets', 'charge real resets to the budget too')
      .option('--idle-timeout <s>', 'seconds without a message before a session\'s environment is released (its id is kept: the next reset reopens it; 0 = never)', intOption(0), 300)
      .option('--max-steps <m>', 'steps before an episode is truncated (default: WebShop 15, WebArena 30)', intOption(1, 1000))
      .option('--warm-contexts <n>', 'fresh browser contexts kept ready for real resets', intOption(0, 64), 2)
      .addOption(new Option('--split <split>', 'tasks real resets without task_id take (by seed or in turn)').choices(['train', 'eval', 'test']).default('train'))
      .option('--out <dir>', 'run directory of every transition and episode (default runs/serve-<timestamp>)')
      .option('--fsync', 'fsync every line (durable against power loss; slower)'),
    'serve',
  ).action(async (flags: ServeFlags) => {
    const { runServe } = await import('./serve-run.js');
    await runServe(flags);
  });
