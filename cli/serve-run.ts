import { joinBufferStream } from '../harness/run-plan/join-buffer-stream.js';
import { openBudget } from '../harness/run-plan/open-budget.js';
import { manifestBase, maskedCommandLine } from '../harness/run-plan/run-manifest.js';
import { openServedSite, type ServedSite } from '../harness/run-plan/served-site.js';
import { prepareSite } from '../harness/run-plan/site-resources.js';
import type { DreamSetup } from '../src/dream/dream-setup.js';
import { ConfigInvalidError } from '../src/env/errors.js';
import { namesOpenAIModel } from '../src/llm/openai-model-flag.js';
import type { SiteProfile, Split } from '../src/protocol/index.js';
import { dreamContinuation } from '../src/server/continue-in-dream.js';
import { startEnvServer, type RunningEnvServer } from '../src/server/env-server.js';
import { defaultMaxRealSessions } from '../src/server/default-max-real-sessions.js';
import { DEFAULT_MAX_SESSION_RECORDS } from '../src/server/session-manager.js';
import { assertBindAllowed } from '../src/server/security.js';
import { siteTaskById } from '../harness/run-plan/site-task-by-id.js';
import { createRunId, openRunDirectory, packageVersion, type RunDirectory } from '../src/store/index.js';
import { createLogger } from './logger.js';
import { runTimestamp } from './run-timestamp.js';
import { onShutdown } from './shutdown.js';
import { browserChoiceOf } from './site-options.js';
import { siteNamed, type RegisteredSite } from './site-registry.js';

/** `serve` flags (commander keys); the site's own flags come along as they are. */
export interface ServeFlags extends Record<string, unknown> {
  env: string;
  fixture?: boolean;
  mode: 'real' | 'dream' | 'both';
  model: string;
  modelBaseUrl?: string;
  embed?: string;
  embedBaseUrl?: string;
  buffer?: string[];
  /** Replay-buffer cap (see DEFAULT_BUFFER_MAX). */
  bufferMax?: number;
  /** `redis://…#STREAM`: the fleet's shared stream of served transitions. */
  bufferStream?: string;
  port: number;
  host: string;
  token?: string;
  insecure?: boolean;
  allowOrigin?: string[];
  maxSessions: number;
  /** Default: defaultMaxRealSessions() (from cores and memory). */
  maxRealSessions?: number;
  /** Default 16,384. */
  maxSessionRecords?: number;
  /** Mode of AgentGym envs created without a body. Default real (dream on a dream-only server). */
  agentgymMode?: 'real' | 'dream';
  realCap?: number;
  ledger?: string;
  onBudgetExhausted: 'stop' | 'dream';
  countResets?: boolean;
  idleTimeout: number;
  stepTimeout: number;
  maxSteps?: number;
  warmContexts: number;
  out?: string;
  fsync?: boolean;
  seed: number;
  split: Split;
  browserWs?: string[];
  browserWsFile?: string;
  browserCdp?: string;
  executable?: string;
}


/** What `runServe` started: the stress soak and tests read its state; `close` stops it all. */
export interface ServeHandle {
  server: RunningEnvServer;
  runDir: RunDirectory;
  real: ServedSite | undefined;
  dream: DreamSetup | undefined;
  close(): Promise<void>;
}

/** Options of `runServe` beyond the flags. */
export interface ServeRunOptions {
  /** Close everything on SIGINT/SIGTERM and exit (the CLI). Default true. */
  handleSignals?: boolean;
}

const openReal = (flags: ServeFlags, registered: RegisteredSite, logger: ReturnType<typeof createLogger>): Promise<ServedSite> =>
  openServedSite({
    site: registered.definition,
    local: registered.local,
    siteFlags: flags,
    seed: flags.seed,
    split: flags.split,
    maxSteps: flags.maxSteps,
    stepTimeoutMs: flags.stepTimeout,
    browser: browserChoiceOf(flags),
    warmContexts: flags.warmContexts,
    logger,
  });

/** Which flags name a dream configuration (a buffer for the retrieval model, or an LLM). */
const dreamConfigured = (flags: ServeFlags): boolean => (flags.buffer?.length ?? 0) > 0 || namesOpenAIModel(flags.model);

/** Checks the flags before anything starts (browsers, fixtures, ledgers). */
const checkFlags = (flags: ServeFlags, token: string | undefined): RegisteredSite => {
  const registered = siteNamed(flags.env);
  assertBindAllowed({ host: flags.host, token, insecure: flags.insecure });
  const hasSite = Boolean(flags.fixture) || registered.definition.hasRemote(flags);
  if (flags.mode !== 'dream' && !hasSite) throw new ConfigInvalidError(`--mode ${flags.mode} needs a live site: ${registered.definition.locationHint}, or --mode dream`);
  if (flags.mode === 'dream' && !dreamConfigured(flags)) throw new ConfigInvalidError('--mode dream needs an experience model: --buffer RUN_DIR (retrieval over recorded transitions) or --model openai:NAME');
  if (flags.agentgymMode !== undefined && flags.mode !== 'both' && flags.agentgymMode !== flags.mode) {
    throw new ConfigInvalidError(`--agentgym-mode ${flags.agentgymMode} needs ${flags.agentgymMode} environments: this server is --mode ${flags.mode}`);
  }
  if (flags.onBudgetExhausted === 'dream' && (flags.mode !== 'both' || !dreamConfigured(flags))) {
    throw new ConfigInvalidError('--on-budget-exhausted dream needs --mode both and an experience model (--buffer RUN_DIR or --model openai:NAME)');
  }
  if (flags.ledger === undefined && flags.realCap === undefined && flags.onBudgetExhausted === 'dream') {
    throw new ConfigInvalidError('--on-budget-exhausted dream needs a budget: --real-cap N (and --ledger FILE to keep it across runs)');
  }
  return registered;
};

/**
 * `dreambridge serve`: the environment server (OpenEnv WS/HTTP, AgentGym routes) over a live
 * site and/or the experience model, with the real budget enforced centrally, until SIGINT/SIGTERM.
 * Prints its URL on stdout; logs go to stderr.
 */
export const runServe = async (flags: ServeFlags, options: ServeRunOptions = {}): Promise<ServeHandle> => {
  const token = flags.token ?? process.env['DREAMBRIDGE_TOKEN'] ?? undefined;
  // The token may reach a log line inside a URL or a message: every line is redacted.
  const logger = createLogger('serve', undefined, token ? [token] : []);
  const registered = checkFlags(flags, token === '' ? undefined : token);
  const env = registered.definition.name;
  const closers: Array<() => Promise<unknown>> = [];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.reverse()) await close().catch((error: unknown) => logger.error({ err: error }, 'shutdown step failed'));
  };
  let server: RunningEnvServer;
  let runDir: RunDirectory;
  let real: ServedSite | undefined;
  let dream: DreamSetup | undefined;
  try {
    const budget = await openBudget(flags, logger);
    if (budget) closers.push(() => budget.close());
    runDir = await openRunDirectory(flags.out ?? `runs/serve-${runTimestamp()}`, { fsync: flags.fsync ?? false });
    const dir = runDir;
    closers.push(() => dir.close());
    if (flags.mode !== 'dream') {
      real = await openReal(flags, registered, logger);
      const source = real;
      closers.push(() => source.close());
    }
    // Dream only: the site's profile from its flags (or its local copy), no browser.
    const prepared = real ? undefined : await prepareSite({ site: registered.definition, local: registered.local, siteFlags: flags, seed: flags.seed, maxSteps: flags.maxSteps, real: false });
    const profile: SiteProfile = real?.profile ?? prepared!.profile;
    // Dream resets may name any task the site knows (its goals' instructions), not only the buffer's.
    const taskById = real?.taskById ?? siteTaskById(prepared!.facts.tasks);
    const { maxSteps } = profile;
    if (flags.mode !== 'real' && dreamConfigured(flags)) {
      const { createDreamSetup } = await import('../src/dream/dream-setup.js');
      dream = await createDreamSetup({
        env,
        profile,
        buffers: flags.buffer ?? [],
        model: flags.model,
        ...(flags.bufferMax === undefined ? {} : { bufferMax: flags.bufferMax }),
        ...(flags.modelBaseUrl === undefined ? {} : { modelBaseUrl: flags.modelBaseUrl }),
        ...(flags.embed === undefined ? {} : { embed: flags.embed }),
        ...(flags.embedBaseUrl === undefined ? {} : { embedBaseUrl: flags.embedBaseUrl }),
        onProgress: (message) => logger.info(message),
      });
      const setup = dream;
      closers.push(() => setup.close(), () => setup.factory.close());
    }
    // What others served enters this server's buffer (when it dreams).
    const setup = dream;
    const stream = flags.bufferStream === undefined ? undefined : await joinBufferStream({ location: flags.bufferStream, record: setup ? (t) => setup.record(t) : undefined, bufferMax: flags.bufferMax, logger });
    if (stream) closers.push(() => stream.close());
    const runId = createRunId();
    await runDir.writeManifest({
      ...manifestBase({
        runId,
        command: maskedCommandLine(),
        seed: flags.seed,
        browser: real?.browserVersion,
        site: { profile_version: profile.version, ...real?.manifest, env },
        models: dream ? dream.manifest : { experience_model: 'not configured (dream resets answer DREAM_NOT_CONFIGURED)' },
      }),
      kind: 'serve',
      ...(stream ? { buffer_stream: { location: stream.display, caught_up: stream.received } } : {}),
      modes: { real: Boolean(real), dream: Boolean(dream) },
      budget: budget ? { ...(await budget.snapshot()), on_exhausted: flags.onBudgetExhausted, count_resets: flags.countResets ?? false } : { cap: null },
      server: { host: flags.host, port: flags.port, max_sessions: flags.maxSessions, max_real_sessions: flags.maxRealSessions ?? defaultMaxRealSessions(), max_session_records: flags.maxSessionRecords ?? DEFAULT_MAX_SESSION_RECORDS, agentgym_mode: flags.agentgymMode ?? (real ? 'real' : 'dream'), idle_timeout_s: flags.idleTimeout, step_timeout_ms: flags.stepTimeout, max_steps: maxSteps, token: token ? 'set' : 'none', allow_origins: flags.allowOrigin ?? [] },
    });
    server = await startEnvServer({
      envName: env,
      ...(real ? { real: { factory: real.factory, tasks: real.tasks } } : {}),
      ...(dream ? { dream: { factory: dream.factory, tasks: () => dream!.tasks(), taskById, continueFrom: dreamContinuation({ model: dream.model, profile, maxSteps }) } } : {}),
      profile,
      // The buffer co-evolves: every transition served (real or dream) is retrievable at once.
      // With a stream, the fleet's too: others tail what this server appends.
      runDir: dream || stream ? { ...runDir, appendTransition: async (line) => { await runDir.appendTransition(line); dream?.record(line); if (stream) void stream.publish(line); } } : runDir,
      runId,
      ...(budget ? { budget } : {}),
      countResets: flags.countResets ?? false,
      onBudgetExhausted: flags.onBudgetExhausted,
      host: flags.host,
      port: flags.port,
      ...(token ? { token } : {}),
      insecure: flags.insecure ?? false,
      allowOrigins: flags.allowOrigin ?? [],
      maxSessions: flags.maxSessions,
      ...(flags.maxRealSessions === undefined ? {} : { maxRealSessions: flags.maxRealSessions }),
      ...(flags.maxSessionRecords === undefined ? {} : { maxSessionRecords: flags.maxSessionRecords }),
      ...(flags.agentgymMode === undefined ? {} : { agentGymMode: flags.agentgymMode }),
      ...(real?.openContexts ? { openContexts: real.openContexts } : {}),
      idleTimeoutMs: flags.idleTimeout * 1000,
      stepTimeoutMs: flags.stepTimeout,
      metadata: { version: packageVersion() },
      ...(registered.definition.agentGymDialect ? { agentGymDialect: registered.definition.agentGymDialect } : {}),
      logger,
    });
    const running = server;
    closers.push(() => running.close());
  } catch (error) {
    await closeAll();
    throw error;
  }
  const modes = [real ? 'real' : '', dream ? `dream (${dream.model.kind === 'llm' ? dream.model.name : 'embedded retrieval model, no LLM'})` : ''].filter(Boolean).join(' + ');
  console.log(
    `dreambridge serve: ${env}, modes ${modes || 'none'}${flags.mode === 'both' && !dream ? ' (dream not configured)' : ''}, up to ${server.limits.options.maxSessions} sessions (${server.limits.options.maxRealSessions} real), run directory ${runDir.dir}`,
  );
  console.log(`OpenEnv WebSocket ws${server.url.slice(4)}/ws · AgentGym ${server.url}/agentgym · metrics ${server.url}/metrics`);
  // The token itself is never printed: clients that cannot set headers put it in the path.
  if (token) console.log(`token in the path (for clients that cannot set headers): base URL ${server.url}/t/<token>`);
  console.log(`dreambridge serve listening on ${server.url}`);
  if (options.handleSignals ?? true) {
    onShutdown(async (signal) => {
      logger.info({ signal }, 'shutting down: open episodes are recorded as interrupted');
      await closeAll();
    });
  }
  return { server, runDir, real, dream, close: closeAll };
};
