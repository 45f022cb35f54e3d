import { readFileSync } from 'node:fs';

const versionAt = (url: URL): string => (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;

/** This package's version, read once from package.json (no JSON import assertions needed). */
export const packageVersion = (): string => versionAt(new URL('../../package.json', import.meta.url));

/** The installed version of a dependency (e.g. `playwright-core`), or `unknown` when it cannot be read. */
export const dependencyVersion = (name: string): string => {
  try {
    return versionAt(new URL(import.meta.resolve(`${name}/package.json`)));
  } catch {
    return 'unknown';
  }
};
