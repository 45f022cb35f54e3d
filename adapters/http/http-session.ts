import { CookieJar } from 'tough-cookie';
import { Agent, request } from 'undici';
import { NavigationFailedError } from '../../src/env/errors.js';
import type { HttpNavigation } from './html-form-submission.js';

/** What a navigation ended on: the document's URL, its status and its HTML. */
export interface HttpPage {
  url: string;
  status: number;
  html: string;
}

export interface HttpAgentOptions {
  /** Requests in flight at once per origin (the run's `--concurrency`). Default 16. */
  connections?: number;
  /** How long an idle keep-alive socket stays open. Default 30000 ms. */
  keepAliveMs?: number;
}

export const DEFAULT_HTTP_CONNECTIONS = 16;

/** One keep-alive agent per run: every episode's requests share its sockets. */
export const createHttpAgent = (options: HttpAgentOptions = {}): Agent =>
  new Agent({
    connections: options.connections ?? DEFAULT_HTTP_CONNECTIONS,
    keepAliveTimeout: options.keepAliveMs ?? 30_000,
    // The step's deadline bounds each request (its signal); undici's own timers stay out of the way.
    headersTimeout: 0,
    bodyTimeout: 0,
  });

/** Redirects a navigation follows before it fails, as browsers cap them (Chromium: 20). */
export const MAX_REDIRECTS = 20;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const charsetOf = (contentType: string): string => /charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1] ?? 'utf-8';

const decode = (bytes: ArrayBuffer, contentType: string): string => {
  try {
    return new TextDecoder(charsetOf(contentType)).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
};

const headerValue = (value: string | string[] | undefined): string => (Array.isArray(value) ? (value[0] ?? '') : (value ?? ''));

/**
 * A browsing session over plain HTTP: its own cookie jar (one per episode, as a fresh browser
 * context has), navigations that follow redirects as the fetch standard does (301/302/303 turn a
 * POST into a GET; 307/308 keep it).
 */
export class HttpSession {
  private readonly jar = new CookieJar();

  constructor(
    private readonly agent: Agent,
    private readonly userAgent = 'dreambridge (http transport)',
  ) {}

  async navigate(start: HttpNavigation, signal: AbortSignal): Promise<HttpPage> {
    let next: HttpNavigation = start;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
      const url = new URL(next.url);
      const hash = url.hash;
      url.hash = '';
      // The jar's store is in memory: its sync calls skip a promise per cookie operation.
      const cookie = this.jar.getCookieStringSync(url.href);
      const response = await request(url.href, {
        method: next.method,
        dispatcher: this.agent,
        signal,
        headers: {
          'user-agent': this.userAgent,
          accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8',
          ...(cookie ? { cookie } : {}),
          ...(next.method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        ...(next.method === 'POST' ? { body: next.body ?? '' } : {}),
      });
      const setCookie = response.headers['set-cookie'];
      for (const line of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
        this.jar.setCookieSync(line, url.href, { ignoreError: true });
      }
      const location = headerValue(response.headers['location']);
      if (REDIRECTS.has(response.statusCode) && location) {
        await response.body.dump();
        const target = new URL(location, url.href);
        // A redirect without a fragment keeps the request's (the fetch standard).
        if (target.hash === '' && hash !== '') target.hash = hash;
        const keep = response.statusCode === 307 || response.statusCode === 308;
        next = keep ? { ...next, url: target.href } : { method: 'GET', url: target.href };
        continue;
      }
      const html = decode(await response.body.arrayBuffer(), headerValue(response.headers['content-type']));
      url.hash = hash;
      return { url: url.href, status: response.statusCode, html };
    }
    throw new NavigationFailedError(`${start.method} ${start.url} redirected more than ${MAX_REDIRECTS} times`, { details: { url: start.url } });
  }
}
