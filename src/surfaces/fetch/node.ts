/**
 * The fetch handler on Node's own request and response objects, for Express, Connect or `node:http`, which do not
 * speak `Request`/`Response`: the body streams through untouched (mount Sesame before any body parser of the host's,
 * which would consume it), and every `Set-Cookie` line is written apart.
 *
 * Every request gets an answer and none throws: under a bare `http.createServer` nothing sits above this handler, so
 * an exception thrown while turning Node's request into a `Request` (a method the WHATWG `Request` refuses, a `Host`
 * that makes no URL) would be uncaught and end the host's process. What cannot become a `Request` is refused here, in
 * the table's shape.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { consumedBodyRefusal, refusalResponse, type SesameFetchHandler } from './handler.js';

/** A Node (Express/Connect-style) handler; `next` receives an error the handler could not answer itself. */
export type NodeHandler = (request: IncomingMessage & { originalUrl?: string }, response: ServerResponse, next?: (error?: unknown) => void) => void;

/**
 * Methods Node's servers can deliver that a `Request` refuses to carry (the Fetch standard's forbidden methods): no
 * route of Sesame's takes them, so 501. Node's HTTP/1.1 parser refuses `TRACK` itself and hands `CONNECT` to the
 * server's `connect` event, but its HTTP/2 compatibility layer passes any method to the request handler.
 */
const UNSUPPORTED_METHODS: ReadonlySet<string> = new Set(['CONNECT', 'TRACE', 'TRACK']);

/** An absolute-form target (`GET http://host/path`), which a client sends to a proxy and a server must accept. */
const ABSOLUTE_FORM = /^https?:\/\//i;

/**
 * The path and query the request is for. An origin-form target (`/path`) is used as it is, so `//evil/profile` stays
 * the path `//evil/profile` (resolved against a base, it would become the path `/profile` of a host named `evil`); an
 * absolute-form target counts by its path and query, as Fastify and Express route it, never by its authority.
 * Anything else (`*`, an authority) is no path of Sesame's.
 */
function pathOf(target: string): string | undefined {
  if (target.startsWith('/')) return target;
  if (!ABSOLUTE_FORM.test(target)) return undefined;
  try {
    const url = new URL(target);
    return `${url.pathname}${url.search}`;
  } catch {
    return undefined;
  }
}

/**
 * The origin a `Host` header names, or undefined when it is not a bare host and port (a space, a path, a query or
 * credentials in it), which HTTP/1.1 answers with 400 and which could otherwise move part of the header into the path.
 */
function originOf(host: string): string | undefined {
  try {
    const url = new URL(`http://${host}`);
    const bare = url.username === '' && url.password === '' && url.pathname === '/' && url.search === '' && url.hash === '' && !host.includes('/');
    return bare ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Builds the `Request` a Node request stands for, or the refusal when it cannot stand for one. Express rewrites `url`
 * under a mount path, `originalUrl` keeps it; HTTP/2 names the host in `:authority`, and its pseudo-headers (`:path`)
 * are no header names.
 */
function toRequest(request: IncomingMessage & { originalUrl?: string }): Request | Response {
  const method = request.method ?? 'GET';
  if (UNSUPPORTED_METHODS.has(method.toUpperCase())) return refusalResponse('request.method_not_implemented');
  const path = pathOf(request.originalUrl ?? request.url ?? '/');
  if (path === undefined) return refusalResponse('request.malformed_url');
  const host = request.headers.host ?? request.headers[':authority'];
  const origin = originOf(typeof host === 'string' ? host : 'localhost');
  if (origin === undefined) return refusalResponse('request.invalid_host');
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || name.startsWith(':')) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  const hasBody = method !== 'GET' && method !== 'HEAD';
  try {
    // The origin and the path joined as text, never resolved one against the other (see pathOf).
    return new Request(`${origin}${path}`, {
      method,
      headers,
      ...(hasBody ? { body: Readable.toWeb(request) as ReadableStream<Uint8Array>, duplex: 'half' } : {}),
    } as RequestInit);
  } catch {
    // Whatever else a Request refuses (a method token it will not carry, a header value): the request, not the host, is wrong.
    return refusalResponse('request.malformed');
  }
}

/**
 * Whether a middleware of the host's (Express's `express.json()`, `express.urlencoded()`, any body parser) read the
 * request's stream before Sesame's handler: what is left of it is nothing, and a `Request` built from it would carry
 * an empty or broken body that Sesame would refuse as the client's fault. A parser reads through `data` events, and
 * one that read an empty body still ended the stream.
 */
function nodeBodyConsumed(request: IncomingMessage): boolean {
  return request.readableDidRead || request.readableEnded;
}

/** The request's path without its query, for the log line of a consumed body (a query may carry a token). */
function pathOnly(request: IncomingMessage & { originalUrl?: string }): string {
  return (pathOf(request.originalUrl ?? request.url ?? '/') ?? '/').split('?')[0] ?? '/';
}

/** Writes a `Response` on Node's response, every `Set-Cookie` line apart. */
async function write(answer: Response, response: ServerResponse): Promise<void> {
  response.statusCode = answer.status;
  // HTTP/2 has no reason phrase, and Node's HTTP/2 response warns when one is set.
  if (answer.statusText !== '' && !('stream' in response)) response.statusMessage = answer.statusText;
  for (const [name, value] of answer.headers) if (name !== 'set-cookie') response.setHeader(name, value);
  const cookies = answer.headers.getSetCookie();
  if (cookies.length > 0) response.setHeader('set-cookie', cookies);
  response.end(Buffer.from(await answer.arrayBuffer()));
}

/** Adapts the fetch handler to Node's request and response, passing the peer's address for the rate limits and `TRUST_PROXY`. */
export function toNodeHandler(handler: SesameFetchHandler): NodeHandler {
  return (request, response, next) => {
    const address = request.socket.remoteAddress;
    // Inside the promise chain, so nothing this request does can throw past it.
    Promise.resolve()
      .then(() => (nodeBodyConsumed(request) ? consumedBodyRefusal(handler.sesame, pathOnly(request)) : toRequest(request)))
      .then((built) => (built instanceof Response ? built : handler.handle(built, address === undefined ? {} : { clientAddress: address })))
      .then((answer) => write(answer, response))
      .catch((error: unknown) => {
        if (next !== undefined) next(error);
        else if (!response.headersSent) void write(refusalResponse('server.internal'), response).catch(() => response.destroy());
      });
  };
}
