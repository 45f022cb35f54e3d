import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { ConfigInvalidError } from '../src/env/errors.js';
import { createRunId, openRunDirectory } from '../src/store/index.js';
import { createWebShopProfile, WEBSHOP_KEY_VERSION } from '../adapters/webshop/webshop-profile.js';
import { importSession, type SessionProblem } from '../adapters/webshop/webshop-session-episode.js';
import { parseSessionLog } from '../adapters/webshop/webshop-session-log.js';
import { manifestBase } from '../harness/run-plan/run-manifest.js';

export interface ImportSessionsOptions {
  /** Session log files, or directories whose `*.jsonl` files are logs. */
  inputs: readonly string[];
  out: string;
  fsync?: boolean;
  /** The manifest's command line. Default: this process's. */
  commandLine?: readonly string[];
}

export interface ImportSessionsOutcome {
  dir: string;
  sessions: number;
  steps: number;
  done: number;
  problems: SessionProblem[];
}

/** The log files named: files as given, directories' `*.jsonl` files in name order. */
const logFiles = async (inputs: readonly string[]): Promise<string[]> => {
  const files: string[] = [];
  for (const input of inputs) {
    const info = await stat(input).catch(() => undefined);
    if (!info) throw new ConfigInvalidError(`${input}: no such file or directory`);
    if (info.isDirectory()) {
      const names = (await readdir(input)).filter((n) => n.endsWith('.jsonl')).sort();
      if (names.length === 0) throw new ConfigInvalidError(`${input}: a directory with no *.jsonl session logs`);
      files.push(...names.map((n) => join(input, n)));
    } else files.push(input);
  }
  return files;
};

/**
 * `dreambridge import webshop-sessions`: WebShop's human session logs as a run directory of expert
 * episodes (one per session, provenance `human`). Every file is read and checked before anything
 * is written, so a file that is not a session log leaves no half-made run directory.
 */
export const importWebShopSessions = async (options: ImportSessionsOptions): Promise<ImportSessionsOutcome> => {
  const profile = createWebShopProfile();
  const files = await logFiles(options.inputs);
  const sessions = await Promise.all(files.map(async (file) => importSession(file, parseSessionLog(file, await readFile(file, 'utf8')), profile)));
  const runDir = await openRunDirectory(options.out, { fsync: options.fsync ?? false });
  try {
    const runId = createRunId();
    const now = new Date().toISOString();
    let slot = 0;
    for (const session of sessions) {
      const episodeId = `${runId}-${session.sessionId}-${slot}`;
      slot += 1;
      for (const step of session.steps) await runDir.appendTransition({ ...step, run_id: runId, episode_id: episodeId });
      await runDir.appendEpisode({
        run_id: runId, episode_id: episodeId, task_id: session.sessionId, env: 'webshop', source: 'real',
        steps: session.steps.length, total_reward: session.totalReward, success: session.termination === 'done' && session.totalReward >= 1,
        termination: session.termination, ...(session.problem ? { error: `${basename(session.problem.file)}:${session.problem.line}: ${session.problem.reason}` } : {}),
        started_at: now, ended_at: now,
      });
    }
    const problems = sessions.flatMap((s) => (s.problem ? [s.problem] : []));
    const steps = sessions.reduce((n, s) => n + s.steps.length, 0);
    const done = sessions.filter((s) => s.termination === 'done').length;
    await runDir.writeManifest({
      ...manifestBase({
        runId,
        ...(options.commandLine ? { command: options.commandLine } : {}),
        seed: 0,
        browser: undefined,
        site: { env: 'webshop', profile_version: profile.version, key_version: WEBSHOP_KEY_VERSION },
        models: {},
      }),
      kind: 'import',
      provenance: 'human',
      import: { format: 'webshop-sessions', files: files.map((f) => resolve(f)), sessions: sessions.length, steps, done, problems, repeats: sessions.reduce((n, s) => n + s.repeats.length, 0) },
    });
    return { dir: runDir.dir, sessions: sessions.length, steps, done, problems };
  } finally {
    await runDir.close();
  }
};
