import pLimit from 'p-limit';
import type { Logger } from 'pino';
import { EXPERIENCE_MODEL_DEFAULTS } from '../../src/dream/openai-experience-model.js';
import { codeOf } from '../../src/env/code-of.js';
import { withDeadline } from '../../src/env/deadline.js';
import { ModelRequestFailedError } from '../../src/env/errors.js';
import { ConcurrencyLimiter } from '../../src/llm/concurrency-limiter.js';
import { createOpenAIRoleClient } from '../../src/llm/openai-client.js';
import { requireOpenAIModel } from '../../src/llm/openai-model-flag.js';
import type { EnvName, SiteProfile } from '../../src/protocol/index.js';
import { maskedCommandLine, manifestVersions } from '../run-plan/run-manifest.js';
import { createAnnotateProgress } from './annotate-progress.js';
import { openAnnotationDirectory } from './annotation-directory.js';
import type { AnnotationKind, AnnotationLine, AnnotationManifest } from './annotation-line.js';
import { checkResumable, countsOf, sumUsage } from './annotation-manifest.js';
import { buildAnnotationItems } from './build-annotation-items.js';
import { loadAnnotationTemplates } from './annotation-prompts.js';
import { readAnnotationSources, sourceEntry } from './annotation-sources.js';
import { ANNOTATE_DEFAULTS } from './annotate-defaults.js';
import { askTeacher, type TeacherSettings } from './ask-teacher.js';

/** Everything `dreambridge annotate` is built from (defaults in `ANNOTATE_DEFAULTS`, the command's --help and the README). */
export interface AnnotatePlanOptions {
  kind: AnnotationKind;
  /** `openai:NAME`. */
  teacher: string;
  teacherBaseUrl?: string | undefined;
  /** The teacher's API key (read by the CLI from `--teacher-api-key-env`); default OPENAI_API_KEY. */
  teacherApiKey?: string | undefined;
  from: readonly string[];
  out: string;
  /** Items asked at once. */
  concurrency?: number | undefined;
  resume?: boolean | undefined;
  promptDir?: string | undefined;
  /** Reasoning: steps of history shown. */
  historyLength?: number | undefined;
  /** Reasoning: demonstrations retrieved and shown. */
  k?: number | undefined;
  /** Further asks after a refused answer. */
  maxReasks?: number | undefined;
  temperature?: number | undefined;
  maxTokens?: number | undefined;
  /** Retrieval embeddings: `hashed` (default) or `openai:NAME`, as the experience model's `--embed`. */
  embed?: string | undefined;
  embedBaseUrl?: string | undefined;
  /** Per-request timeout of the teacher. Default 60 000 ms. */
  timeoutMs?: number | undefined;
  /** The site profile of the transitions' site (the CLI takes it from the registry). */
  profileFor: (env: EnvName) => Promise<SiteProfile>;
  commandLine?: readonly string[] | undefined;
}

export { ANNOTATE_DEFAULTS };

export interface AnnotateOutcome {
  dir: string;
  /** Items planned from the sources. */
  planned: number;
  /** Lines in annotations.jsonl (earlier runs included): ok + failed. */
  counts: { items: number; ok: number; failed: number };
  /** Items of this run that got no answer (request failures, an interrupt): `--resume` asks them. */
  unasked: number;
  /** Lines written by this run. */
  written: number;
  stopped?: string;
}

/**
 * Teacher annotation of recorded real data: every item (a real transition for `reasoning`, an
 * expert state with branches for `reflection`) asked once, checked, re-asked up to `maxReasks`
 * times, and written to `annotations.jsonl` as soon as it is finished (fsync'd), ok or failed with
 * every raw answer. `--resume` never asks a finished item again. Items whose request failed (after
 * the client's retries) are not written, so a later `--resume` asks them; five such failures in a
 * row stop the run (the teacher is down).
 */
export const executeAnnotatePlan = async (options: AnnotatePlanOptions, logger: Logger, signal: AbortSignal): Promise<AnnotateOutcome> => {
  const model = requireOpenAIModel('--teacher', options.teacher);
  const templates = loadAnnotationTemplates(options.kind, options.promptDir);
  const role = createOpenAIRoleClient({
    role: 'teacher',
    model,
    ...(options.teacherBaseUrl === undefined ? {} : { baseURL: options.teacherBaseUrl }),
    ...(options.teacherApiKey === undefined ? {} : { apiKey: options.teacherApiKey }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  const sources = await readAnnotationSources(options.from);
  const dir = await openAnnotationDirectory(options.out, options.resume ?? false);
  let close = (): void => undefined;
  try {
    if (dir.previous) checkResumable(dir.previous, options.kind, model, templates.hashes, dir.dir);
    const built = await buildAnnotationItems(options, sources, templates);
    const { items } = built;
    close = built.close;
    const lines: AnnotationLine[] = [...dir.earlier];
    const finished = new Set(lines.map((l) => l.item_id));
    const todo = items.filter((item) => !finished.has(item.id));
    const concurrency = options.concurrency ?? ANNOTATE_DEFAULTS.concurrency;
    const settings: TeacherSettings = {
      role,
      limiter: new ConcurrencyLimiter(concurrency),
      temperature: options.temperature ?? ANNOTATE_DEFAULTS.temperature,
      maxTokens: options.maxTokens ?? ANNOTATE_DEFAULTS.maxTokens,
      maxReasks: options.maxReasks ?? ANNOTATE_DEFAULTS.maxReasks,
    };
    const createdAt = dir.previous?.created_at ?? new Date().toISOString();
    const manifest = (complete: boolean, unasked: number, stopped?: string): AnnotationManifest => ({
      kind: 'annotations',
      annotation_kind: options.kind,
      teacher: { model, name: role.name, base_url: options.teacherBaseUrl ?? (process.env.OPENAI_BASE_URL || null), temperature: settings.temperature, max_tokens: settings.maxTokens, max_reasks: settings.maxReasks },
      prompt_hashes: { ...templates.hashes },
      prompt_sources: { ...templates.sources },
      sources: sources.map(sourceEntry),
      counts: { ...countsOf(lines), planned: items.length, unasked },
      usage: sumUsage(lines),
      options: {
        ...(options.kind === 'reasoning'
          ? { history: options.historyLength ?? ANNOTATE_DEFAULTS.historyLength, top_k: options.k ?? ANNOTATE_DEFAULTS.k, embed: options.embed ?? 'hashed', max_context_state_chars: EXPERIENCE_MODEL_DEFAULTS.maxContextStateChars }
          : {}),
        concurrency,
      },
      complete,
      ...(stopped === undefined ? {} : { stopped }),
      command_line: [...(options.commandLine ?? maskedCommandLine())],
      created_at: createdAt,
      updated_at: new Date().toISOString(),
      versions: { ...manifestVersions(undefined) },
    });
    await dir.writeManifest(manifest(todo.length === 0, todo.length));

    const progress = createAnnotateProgress(todo.length);
    const limit = pLimit(Math.max(1, concurrency));
    let unasked = 0;
    let written = 0;
    let failuresInARow = 0;
    let stopped: string | undefined;
    await Promise.all(
      todo.map((item) =>
        limit(async () => {
          if (stopped !== undefined || signal.aborted) {
            unasked += 1;
            return;
          }
          try {
            const { messages, fields } = await item.prepare();
            // One derived signal per item: the client's listeners go with it, not onto the run's signal.
            const outcome = await withDeadline({ what: `the teacher's answer to ${item.id}`, signal }, (deadline) =>
              askTeacher(settings, messages, (raw) => item.check(raw), (reason) => item.reask(reason), deadline.signal),
            );
            const line: AnnotationLine = {
              item_id: item.id,
              kind: options.kind,
              status: outcome.status,
              source: item.source,
              annotation: outcome.annotation,
              raw: outcome.raw,
              attempts: outcome.attempts,
              usage: { prompt_tokens: outcome.usage.prompt_tokens, completion_tokens: outcome.usage.completion_tokens },
              ...(outcome.error === undefined ? {} : { error: outcome.error }),
              ...fields,
              annotated_at: new Date().toISOString(),
            };
            await dir.append(line);
            lines.push(line);
            written += 1;
            failuresInARow = 0;
            if (outcome.status === 'failed') logger.warn({ item: item.id, attempts: outcome.attempts, reason: outcome.error }, 'annotation failed: recorded with its raw answers');
            progress.update(outcome.status);
          } catch (error) {
            unasked += 1;
            progress.update('unasked');
            if (signal.aborted) return;
            if (codeOf(error) !== 'MODEL_REQUEST_FAILED') throw error;
            failuresInARow += 1;
            logger.warn({ item: item.id, error: (error as Error).message }, 'teacher request failed: the item is left for --resume');
            if (failuresInARow >= ANNOTATE_DEFAULTS.stopAfterRequestFailures) stopped ??= `${failuresInARow} teacher requests in a row failed (last: ${(error as Error).message})`;
          }
        }),
      ),
    );
    progress.stop();
    if (signal.aborted) stopped ??= 'interrupted';
    await dir.writeManifest(manifest(unasked === 0, unasked, stopped));
    if (written === 0 && unasked > 0 && stopped !== 'interrupted') {
      throw new ModelRequestFailedError(`no item could be annotated: ${stopped ?? `${unasked} teacher requests failed`}`, { details: { model: role.name } });
    }
    return { dir: dir.dir, planned: items.length, counts: countsOf(lines), unasked, written, ...(stopped === undefined ? {} : { stopped }) };
  } finally {
    close();
    await dir.close();
  }
};
