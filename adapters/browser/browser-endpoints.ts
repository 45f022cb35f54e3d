import { readFileSync } from 'node:fs';
import { ConfigInvalidError } from '../../src/env/errors.js';
import type { BrowserChoice } from '../../src/env/site-definition.js';

/** One `ws://` or `wss://` endpoint of a Playwright browser server; CONFIG_INVALID naming `where` otherwise. */
export const parseBrowserEndpoint = (value: string, where: string): string => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigInvalidError(`${where}: "${value}" is not a URL (expected ws://host:port/… of a Playwright browser server)`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new ConfigInvalidError(`${where}: "${value}" is not a ws:// or wss:// URL (a Playwright browser server's endpoint)`);
  return value;
};

/**
 * Endpoints of a `--browser-ws-file`: one per line; blank lines and lines starting with `#` are
 * skipped. A missing file, a bad line (named by its number) or no endpoint at all is CONFIG_INVALID.
 */
export const parseBrowserEndpointsText = (text: string, file: string): string[] => {
  const endpoints: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    endpoints.push(parseBrowserEndpoint(line, `--browser-ws-file ${file} line ${i + 1}`));
  });
  if (endpoints.length === 0) throw new ConfigInvalidError(`--browser-ws-file ${file}: no endpoint in it (one ws:// URL per line)`);
  return endpoints;
};

const readEndpointsFile = (file: string): string[] => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigInvalidError(`--browser-ws-file ${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return parseBrowserEndpointsText(text, file);
};

/** Every browser-server endpoint named by `--browser-ws` (repeatable) and `--browser-ws-file`, in that order; one listed twice is refused. */
export const browserEndpointsOf = (choice: BrowserChoice): string[] => {
  const given = choice.ws === undefined ? [] : typeof choice.ws === 'string' ? [choice.ws] : [...choice.ws];
  const endpoints = [...given.map((ws) => parseBrowserEndpoint(ws, '--browser-ws')), ...(choice.wsFile === undefined ? [] : readEndpointsFile(choice.wsFile))];
  const seen = new Set<string>();
  for (const endpoint of endpoints) {
    if (seen.has(endpoint)) throw new ConfigInvalidError(`browser endpoint ${endpoint} is listed twice (--browser-ws, --browser-ws-file)`);
    seen.add(endpoint);
  }
  return endpoints;
};
