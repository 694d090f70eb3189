/**
 * The fetch handler on Node's own request and response objects, for Express, Connect or `node:http`, which do not
 * speak `Request`/`Response`: the body streams through untouched (mount Sesame before any body parser of the host's,
 * which would consume it), and every `Set-Cookie` line is written apart.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { SesameFetchHandler } from './handler.js';

/** A Node (Express/Connect-style) handler; `next` receives an error the handler could not answer itself. */
export type NodeHandler = (request: IncomingMessage & { originalUrl?: string }, response: ServerResponse, next?: (error?: unknown) => void) => void;

/** Builds the `Request` a Node request stands for; Express rewrites `url` under a mount path, `originalUrl` keeps it. */
function toRequest(request: IncomingMessage & { originalUrl?: string }): Request {
  const url = new URL(request.originalUrl ?? request.url ?? '/', `http://${request.headers.host ?? 'localhost'}`);
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  const method = request.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  return new Request(url, {
    method,
    headers,
    ...(hasBody ? { body: Readable.toWeb(request) as ReadableStream<Uint8Array>, duplex: 'half' } : {}),
  } as RequestInit);
}

/** Adapts the fetch handler to Node's request and response, passing the peer's address for the rate limits. */
export function toNodeHandler(handler: SesameFetchHandler): NodeHandler {
  return (request, response, next) => {
    handler
      .handle(toRequest(request), { ...(request.socket.remoteAddress === undefined ? {} : { clientAddress: request.socket.remoteAddress }) })
      .then(async (answer) => {
        response.statusCode = answer.status;
        if (answer.statusText !== '') response.statusMessage = answer.statusText;
        for (const [name, value] of answer.headers) if (name !== 'set-cookie') response.setHeader(name, value);
        const cookies = answer.headers.getSetCookie();
        if (cookies.length > 0) response.setHeader('set-cookie', cookies);
        response.end(Buffer.from(await answer.arrayBuffer()));
      })
      .catch((error: unknown) => {
        if (next !== undefined) next(error);
        else if (!response.headersSent) {
          response.statusCode = 500;
          response.end();
        }
      });
  };
}
