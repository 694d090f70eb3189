/**
 * The status line's reason phrase as the seed's server sends it. Flask runs on Werkzeug, which writes the phrase in
 * capitals (`401 UNAUTHORIZED`, `302 FOUND`), and a seed client may compare the whole status line; Node writes
 * `Unauthorized`. Both the standalone server (through its response class) and the plugin (through a hook) send
 * Werkzeug's.
 * @module
 */
import { ServerResponse, STATUS_CODES, type IncomingMessage, type OutgoingHttpHeader, type OutgoingHttpHeaders } from 'node:http';
import type { FastifyInstance } from 'fastify';

/** Werkzeug's phrases where they differ from Node's in more than case (`werkzeug.http.HTTP_STATUS_CODES`). */
const WERKZEUG_WORDING: Readonly<Record<number, string>> = {
  203: 'Non Authoritative Information',
  207: 'Multi Status',
  306: 'Switch Proxy',
  408: 'Request Timeout',
  413: 'Request Entity Too Large',
  414: 'Request URI Too Long',
  416: 'Requested Range Not Satisfiable',
  422: 'Unprocessable Entity',
  449: 'Retry With',
  511: 'Network Authentication Failed',
};

/** The reason phrase Werkzeug sends for a status (`UNKNOWN` for one it has no name for, as Werkzeug does). */
export function seedReasonPhrase(status: number): string {
  return (WERKZEUG_WORDING[status] ?? STATUS_CODES[status] ?? 'Unknown').toUpperCase();
}

/** Every phrase computed once, so a reply costs a lookup. */
const PHRASES: ReadonlyMap<number, string> = new Map(Object.keys(STATUS_CODES).map((code) => [Number(code), seedReasonPhrase(Number(code))]));

/**
 * A response whose status line carries the seed's phrase: handed to `http.createServer` (Fastify's `http` option),
 * it costs nothing per request beyond a map lookup, and covers every reply the server writes, 404s included.
 */
export class SeedReasonResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
  /** Writes the head with the seed's phrase unless the caller named one itself. */
  override writeHead(statusCode: number, reason?: string | OutgoingHttpHeaders | OutgoingHttpHeader[], headers?: OutgoingHttpHeaders | OutgoingHttpHeader[]): this {
    if (typeof reason === 'string') return super.writeHead(statusCode, reason, headers);
    return super.writeHead(statusCode, PHRASES.get(statusCode) ?? seedReasonPhrase(statusCode), reason);
  }
}

/** Gives every reply of a scope the seed's phrase, for the plugin inside a host's own server. */
export function useSeedReasonPhrases(app: FastifyInstance): void {
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.raw.statusMessage = PHRASES.get(reply.statusCode) ?? seedReasonPhrase(reply.statusCode);
    done(null, payload);
  });
}
