/**
 * Logger settings: structured pino logs with every place a secret could appear redacted.
 * @module
 */
import type { FastifyRequest, FastifyServerOptions } from 'fastify';
import type { LogLevel } from './config/config.js';

/**
 * Paths pino censors. Sesame's request serializer logs no headers, bodies or query strings; these guard against a
 * debug log line or a host app that logs more, so a password, token or cookie never reaches a log. Exact paths
 * only: wildcard paths make pino walk every logged object, a cost paid on every request line.
 */
export const REDACTED_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  'headers.cookie',
  'headers["set-cookie"]',
  'password',
  'new_password',
  'reset_token',
  'session_id',
  'body',
  'req.body',
];

/** The request fields worth a log line: no headers, and the path without its query string (a client may put a secret there). */
function serializeRequest(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: request.url.split('?')[0],
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/** Fastify logger options for a level, optionally writing to a given stream (tests capture the log this way). */
export function loggerOptions(level: LogLevel, stream?: NodeJS.WritableStream): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: { req: serializeRequest as never },
    ...(stream === undefined ? {} : { stream }),
  };
}
