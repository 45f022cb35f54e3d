import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LedgerWorkerResult, LedgerWorkerTask } from './ledger-worker.js';

const workerPath = fileURLToPath(new URL('./ledger-worker.ts', import.meta.url));

export interface LedgerChild {
  child: ChildProcessWithoutNullStreams;
  /** Resolves with the first stdout line. */
  firstLine: Promise<string>;
  /** Resolves with the whole stdout once the process exits with code 0. */
  done: Promise<string>;
}

/** Starts tests/helpers/ledger-worker.ts in its own node process (tsx compiles it). */
export const startLedgerWorker = (task: LedgerWorkerTask): LedgerChild => {
  const child = spawn(process.execPath, ['--import', 'tsx', workerPath, JSON.stringify(task)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let onLine: (line: string) => void = () => undefined;
  const firstLine = new Promise<string>((resolve) => (onLine = resolve));
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    const newline = stdout.indexOf('\n');
    if (newline >= 0) onLine(stdout.slice(0, newline));
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<string>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => (code === 0 ? resolve(stdout) : reject(new Error(`ledger worker exited ${code ?? signal}: ${stderr}`))));
  });
  done.catch(() => undefined);
  return { child, firstLine, done };
};

/**
 * Runs `processes` hammer workers on one ledger, all started together once every one has opened
 * it, and returns their results.
 */
export const hammerLedger = async (processes: number, task: Omit<LedgerWorkerTask, 'mode'>): Promise<LedgerWorkerResult[]> => {
  const children = Array.from({ length: processes }, () => startLedgerWorker({ ...task, mode: 'hammer' }));
  try {
    await Promise.all(children.map((c) => c.firstLine));
    for (const c of children) c.child.stdin.write('go\n');
    const outputs = await Promise.all(children.map((c) => c.done));
    return outputs.map((out) => JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as LedgerWorkerResult);
  } finally {
    for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  }
};
