import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The benchmark data beside the project (`../shared/data`); absent in a user's clone. */
export const sharedDataDir = fileURLToPath(new URL('../../../shared/data/', import.meta.url));

export const sharedFile = (relative: string): string | undefined => {
  const path = `${sharedDataDir}${relative}`;
  if (existsSync(path)) return path;
  console.warn(`skipping: ${path} is absent (the benchmark data lives in ../shared/data beside the project)`);
  return undefined;
};
