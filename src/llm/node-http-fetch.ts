import http from 'node:http';
import https from 'node:https';

/** Options of `createNodeHttpFetch`. */
export interface NodeHttpFetchOptions {
  /** Most sockets per endpoint kept open. Default 256 (above any concurrency limit we set). */
  maxSockets?: number;
}

const headerRecord = (init: HeadersInit | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  new Headers(init).forEach((value, key) => {
    out[key] = value;
  });
  return out;
};

const responseHeaders = (raw: http.IncomingHttpHeaders): Headers => {
  const headers = new Headers();
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(key, v);
  }
  return headers;
};

/**
 * A `fetch` for the `openai` client over `node:http(s)` keep-alive agents, buffering each reply.
 * Why: at dozens of concurrent requests, the WHATWG fetch's stream machinery cost more CPU than
 * the dream step itself (measured: about 40 % of a busy client's time). Requests it cannot
 * carry — non-string bodies, e.g. file uploads — go to the global `fetch`. Replies are not
 * streamed, which is fine for the non-streaming completions and embeddings used here.
 */
export const createNodeHttpFetch = (options: NodeHttpFetchOptions = {}): typeof fetch => {
  const maxSockets = options.maxSockets ?? 256;
  const agents = { 'http:': new http.Agent({ keepAlive: true, maxSockets }), 'https:': new https.Agent({ keepAlive: true, maxSockets }) };
  const nodeFetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const body = init?.body;
    if (input instanceof Request || (body !== undefined && body !== null && typeof body !== 'string')) return fetch(input, init);
    const url = new URL(input);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return fetch(input, init);
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise<Response>((resolve, reject) => {
      const request = transport.request(
        url,
        {
          method: init?.method ?? 'GET',
          headers: headerRecord(init?.headers),
          agent: agents[url.protocol as 'http:' | 'https:'],
          ...(init?.signal ? { signal: init.signal } : {}),
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const status = response.statusCode ?? 502;
            // Statuses that may not carry a body in the Response constructor.
            const empty = status === 204 || status === 205 || status === 304 || init?.method === 'HEAD';
            resolve(new Response(empty ? null : Buffer.concat(chunks), { status, statusText: response.statusMessage ?? '', headers: responseHeaders(response.headers) }));
          });
        },
      );
      request.on('error', reject);
      request.end(body ?? undefined);
    });
  };
  return nodeFetch as typeof fetch;
};

/** One shared instance: sockets are reused across every role's client. */
export const nodeHttpFetch = createNodeHttpFetch();
