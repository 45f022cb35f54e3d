import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { ConfigInvalidError } from '../env/errors.js';

/** Loopback names and addresses: what a default bind uses and what needs no token. */
export const isLoopbackHost = (host: string): boolean => {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || bare === '0:0:0:0:0:0:0:1' || bare.startsWith('::ffff:127.');
  return false;
};

/**
 * Refuses to expose real browsers and a real budget to a network without a token: a non-loopback
 * bind needs `token`, unless `insecure` says the operator means it.
 */
export const assertBindAllowed = (options: { host: string; token?: string | undefined; insecure?: boolean | undefined }): void => {
  if (isLoopbackHost(options.host) || options.token || options.insecure) return;
  throw new ConfigInvalidError(
    `refusing to listen on ${options.host} without a token: anyone who reaches it could drive real sessions and spend the real budget. ` +
      'Give --token T (or DREAMBRIDGE_TOKEN), bind --host 127.0.0.1, or pass --insecure if the network is trusted',
  );
};

// Hashing both sides first makes the comparison constant-time whatever the lengths.
const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** Whether `presented` is the token, compared in constant time. */
export const tokenMatches = (presented: string | undefined, token: string): boolean =>
  presented !== undefined && timingSafeEqual(digest(presented), digest(token));

/**
 * The token a request presents: `Authorization: Bearer T`, or `access_token=T` in the query
 * string (for WebSocket clients that cannot set headers; the server never logs query strings).
 */
export const presentedToken = (request: IncomingMessage, pathToken?: string): string | undefined => {
  if (pathToken !== undefined) return pathToken;
  const header = request.headers.authorization;
  const bearer = header === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  if (bearer !== undefined) return bearer;
  const query = (request.url ?? '').split('?')[1];
  return query === undefined ? undefined : (new URLSearchParams(query).get('access_token') ?? undefined);
};

/**
 * Splits a token path prefix off a request URL: `/t/<token>/rest?query` → the token and
 * `/rest?query` (`/t/<token>` alone → `/`), so clients that cannot set headers (AgentGym's, which
 * append `/create` to the base URL; OpenEnv's, which append `/ws`) use base URL
 * `http://host:port/t/<token>`. Undefined when the URL has no such prefix.
 */
export const splitPathToken = (url: string): { token: string; url: string } | undefined => {
  const match = /^\/t\/([^/?#]+)(\/[^?#]*)?(\?.*)?$/.exec(url);
  if (!match?.[1]) return undefined;
  let token: string;
  try {
    token = decodeURIComponent(match[1]);
  } catch {
    token = match[1];
  }
  return { token, url: `${match[2] ?? '/'}${match[3] ?? ''}` };
};

/** Origins are compared as `scheme://host[:port]`, case-insensitively, without a trailing slash. */
const normalizeOrigin = (origin: string): string => origin.trim().replace(/\/+$/, '').toLowerCase();

/**
 * An `Origin` header (sent by browsers, never by Python or Node clients) must be one the operator
 * allowed: a web page the user happens to open cannot drive the server.
 */
export const originAllowed = (origin: string | undefined, allowed: readonly string[]): boolean =>
  origin === undefined || allowed.some((a) => a === '*' || normalizeOrigin(a) === normalizeOrigin(origin));

/**
 * On a loopback bind, the Host header must name a loopback host too: a page that rebinds its own
 * domain to 127.0.0.1 (DNS rebinding) presents its domain and is refused.
 */
export const hostHeaderAllowed = (hostHeader: string | undefined, loopbackBind: boolean): boolean => {
  if (!loopbackBind) return true;
  if (hostHeader === undefined) return true;
  const host = hostHeader.startsWith('[') ? hostHeader.slice(0, hostHeader.indexOf(']') + 1) : (hostHeader.split(':')[0] ?? '');
  return isLoopbackHost(host);
};

export interface AccessPolicy {
  /** Bearer token required on every route but /health; none = open (loopback or --insecure). */
  token?: string | undefined;
  /** Browser origins allowed (Origin header); requests without one are always allowed. */
  allowOrigins: readonly string[];
  /** The server listens on loopback only (enables the Host check). */
  loopbackBind: boolean;
}

/** Why a request is refused, or undefined when it may go on. */
export const refusal = (request: IncomingMessage, policy: AccessPolicy, path: string, pathToken?: string): { status: number; message: string } | undefined => {
  if (!hostHeaderAllowed(request.headers.host, policy.loopbackBind)) return { status: 403, message: 'Host header is not a loopback name on a loopback-only server' };
  const origin = request.headers.origin;
  if (!originAllowed(origin, policy.allowOrigins)) return { status: 403, message: `origin ${origin ?? ''} is not allowed (start the server with --allow-origin ${origin ?? ''})` };
  // A wrong token in the path is refused even on /health: the client's base URL is wrong.
  if (policy.token !== undefined && (path !== '/health' || pathToken !== undefined) && !tokenMatches(presentedToken(request, pathToken), policy.token)) {
    return { status: 401, message: 'missing or wrong token (Authorization: Bearer <token>, or the base URL http://host:port/t/<token>)' };
  }
  return undefined;
};
