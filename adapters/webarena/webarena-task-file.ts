import { readFileSync } from 'node:fs';
import { parseWebArenaTasks, type WebArenaTask } from './webarena-task-config.js';
import { codeOf } from '../../src/env/code-of.js';
import { ConfigInvalidError } from '../../src/env/errors.js';

/** Reads and validates a WebArena config file (one task or a list); errors name the file. */
export const readWebArenaTaskFile = (file: string): WebArenaTask[] => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigInvalidError(`${file}: cannot read: ${codeOf(error) ?? (error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigInvalidError(`${file}: not valid JSON: ${(error as Error).message}`);
  }
  return parseWebArenaTasks(json, file);
};
