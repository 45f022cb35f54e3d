import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxyOptions {
  /** Requests for which the proxy never answers (a hanging page). */
  hang?: (url: string) => boolean;
  /** Rewrites HTML bodies (a deliberately altered page). */
  rewrite?: (url: string, html: string) => string;
}

const body = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/** An HTTP proxy in front of a site on loopback, for fault and conformance tests. */
export const startProxy = async (target: string, options: ProxyOptions = {}): Promise<{ url: string; close(): Promise<void> }> => {
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (options.hang?.(url)) return;
    body(req)
      .then(async (payload) => {
        const upstream = await fetch(`${target}${url}`, {
          method: req.method ?? 'GET',
          redirect: 'manual',
          headers: { 'content-type': req.headers['content-type'] ?? 'text/plain' },
          ...(payload.length > 0 ? { body: new Uint8Array(payload) } : {}),
        });
        const headers = Object.fromEntries([...upstream.headers].filter(([k]) => !['content-encoding', 'content-length', 'transfer-encoding'].includes(k)));
        let out = Buffer.from(await upstream.arrayBuffer());
        if (options.rewrite && (upstream.headers.get('content-type') ?? '').includes('html')) out = Buffer.from(options.rewrite(url, out.toString('utf8')));
        res.writeHead(upstream.status, headers);
        res.end(out);
      })
      .catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
