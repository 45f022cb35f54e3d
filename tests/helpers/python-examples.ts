import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from './cli.js';

export const runFile = promisify(execFile);

/** The examples' directory. */
export const pythonExamples = join(projectRoot, 'examples/python');

/** A Python with both websockets and requests (Debian: python3-websockets python3-requests), if any. */
export const findExamplePython = async (): Promise<string | undefined> => {
  for (const candidate of ['python3', '/usr/bin/python3']) {
    try {
      await runFile(candidate, ['-c', 'import websockets, requests']);
      return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
};

export const PYTHON_SKIP_MESSAGE = 'python examples: skipped (no python3 with the websockets and requests modules; Debian: apt-get install python3-websockets python3-requests)';
