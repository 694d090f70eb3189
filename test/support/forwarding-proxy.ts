/**
 * A real forwarding hop for `TRUST_PROXY` tests: an HTTP reverse proxy on loopback that connects to Sesame from an
 * address of its own (any 127.x.y.z works on Linux) and appends its client's address to `X-Forwarded-For`, as nginx's
 * `$proxy_add_x_forwarded_for` does; plus a client that can pick its source address too.
 * @module
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running proxy. */
export interface ForwardingProxy {
  /** Base URL clients send to, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Stops the proxy. */
  close(): Promise<void>;
}

/** Starts a proxy in front of `targetUrl` that connects to it from `sourceAddress`. */
export async function startForwardingProxy(targetUrl: string, sourceAddress: string): Promise<ForwardingProxy> {
  const target = new URL(targetUrl);
  const server: Server = createServer((incoming, outgoing) => {
    const peer = incoming.socket.remoteAddress ?? '';
    const forwarded = incoming.headers['x-forwarded-for'];
    const headers: IncomingHttpHeaders = { ...incoming.headers, 'x-forwarded-for': forwarded === undefined ? peer : `${String(forwarded)}, ${peer}` };
    const upstream = httpRequest(
      { host: target.hostname, port: Number(target.port), method: incoming.method, path: incoming.url, headers, localAddress: sourceAddress, agent: false },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    upstream.on('error', () => outgoing.destroy());
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What {@link sendFrom} read back. */
export interface SourcedReply {
  readonly status: number;
  /** Response headers, lower-case names (a repeated one joined with `, `). */
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
}

/** Sends one request from a chosen loopback source address (fetch cannot pick one), reading the whole answer. */
export function sendFrom(
  sourceAddress: string,
  url: string,
  options: { readonly method?: string; readonly headers?: Readonly<Record<string, string>>; readonly form?: Readonly<Record<string, string>> } = {},
): Promise<SourcedReply> {
  const target = new URL(url);
  const body = options.form === undefined ? undefined : new URLSearchParams(options.form).toString();
  const headers: Record<string, string> = { ...options.headers };
  if (body !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: target.hostname, port: Number(target.port), method: options.method ?? 'GET', path: `${target.pathname}${target.search}`, headers, localAddress: sourceAddress, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
          resolve({ status: res.statusCode ?? 0, headers, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
