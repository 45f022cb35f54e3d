import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { slotOfEpisode } from '../../harness/run-plan/run-resume.js';
import { episodeSchema, transitionSchema, type Episode, type Transition } from '../../src/protocol/index.js';
import { cliPath, projectRoot, runCli } from './cli.js';

/** Every line must parse: a corrupt line throws. */
const lines = (file: string): unknown[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as unknown)
    : [];
export const readTransitions = (dir: string): Transition[] => lines(join(dir, 'transitions.jsonl')).map((l) => transitionSchema.parse(l));
export const readEpisodeLines = (dir: string): Episode[] => lines(join(dir, 'episodes.jsonl')).map((l) => episodeSchema.parse(l));
export const readLedger = (file: string): { cap: number; used: number; reserved: number } => JSON.parse(readFileSync(file, 'utf8')) as { cap: number; used: number; reserved: number };

export interface KillResumeReport {
  kills: number;
  /** Real steps in transitions.jsonl after each killed process. */
  realAfterKill: number[];
  realLogged: number;
  ledger: { cap: number; used: number; reserved: number };
  /** Slots finished before some kill whose episode id changed afterwards (must be empty). */
  changed: number[];
  /** Finished slots appearing more than once (must be 0). */
  duplicates: number;
  /** Transitions whose episode has no episode line after the final resume (must be 0). */
  orphans: number;
  finishedSlots: number;
  exitCode: number | null;
  stderr: string;
}

/**
 * Runs `args` (a `dreambridge run … --out DIR` command line) and SIGKILLs it — the CLI and its
 * Chromium, as a crash would — once a random amount of new transitions has been written, `kills`
 * times, resuming after each; then resumes once more to the end and reports what a user checks.
 */
export const killAndResume = async (args: string[], out: string, ledgerFile: string, kills: number, random: () => number = Math.random): Promise<KillResumeReport> => {
  const finishedBefore = new Map<number, string>();
  const realAfterKill: number[] = [];
  let killed = 0;
  const size = (): number => (existsSync(join(out, 'transitions.jsonl')) ? statSync(join(out, 'transitions.jsonl')).size : 0);
  for (let round = 0; round < kills; round += 1) {
    const child = spawn(process.execPath, [cliPath, ...args, ...(round === 0 ? [] : ['--resume'])], {
      cwd: projectRoot,
      env: { ...process.env, DREAMBRIDGE_LOG_LEVEL: 'warn' },
      detached: true,
      stdio: 'ignore',
    });
    let finished = false;
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    void exited.then(() => (finished = true));
    const target = size() + 400 + Math.floor(random() * 4000);
    const deadline = Date.now() + 60_000;
    while (!finished && size() < target && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    if (!finished) {
      process.kill(-(child.pid as number), 'SIGKILL');
      killed += 1;
    }
    await exited;
    for (const e of readEpisodeLines(out)) if (e.termination !== 'interrupted') finishedBefore.set(slotOfEpisode(e.episode_id) as number, e.episode_id);
    realAfterKill.push(readTransitions(out).filter((t) => t.source === 'real').length);
  }
  const final = await runCli([...args, '--resume'], { timeoutMs: 300_000 });
  const episodes = readEpisodeLines(out);
  const transitions = readTransitions(out);
  const finishedSlots = episodes.filter((e) => e.termination !== 'interrupted').map((e) => slotOfEpisode(e.episode_id) as number);
  const ended = new Set(episodes.map((e) => e.episode_id));
  const changed = [...finishedBefore].filter(([slot, id]) => episodes.find((e) => slotOfEpisode(e.episode_id) === slot && e.termination !== 'interrupted')?.episode_id !== id).map(([slot]) => slot);
  return {
    kills: killed,
    realAfterKill,
    realLogged: transitions.filter((t) => t.source === 'real').length,
    ledger: readLedger(ledgerFile),
    changed,
    duplicates: finishedSlots.length - new Set(finishedSlots).size,
    orphans: transitions.filter((t) => !ended.has(t.episode_id)).length,
    finishedSlots: new Set(finishedSlots).size,
    exitCode: final.code,
    stderr: final.stderr,
  };
};
