/**
 * The logger: structured pino logs with every place a secret could appear redacted. One logger per Sesame instance,
 * built by the container and handed to Fastify, so request lines and security events share level and destination.
 * @module
 */
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import { pino, stdSerializers, type DestinationStream, type LoggerOptions } from 'pino';

/** Pino's level names, plus `silent`. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** What Sesame logs through: a pino logger (a host may hand in its own, such as Fastify's `app.log`). */
export type SesameLogger = FastifyBaseLogger;

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

/**
 * Errors as pino serialises them (type, message, stack, own properties), minus anything that carries raw bytes: Node
 * keeps a refused request's whole packet on its parse error (`rawPacket`), and a Buffer logs as a list of numbers
 * that no text search for a password would find.
 */
export function serializeError(error: Error): Record<string, unknown> {
  const serialized = stdSerializers.err(error) as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(serialized)) {
    if (key === 'rawPacket' || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) serialized[key] = '[bytes omitted]';
  }
  return serialized;
}

/** Pino options for a level: redaction and the request and error serializers (exported for the bench's probe server). */
export function loggerOptions(level: LogLevel): LoggerOptions {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: { req: serializeRequest, err: serializeError },
  };
}

/** Builds the logger at a level, writing to `stream` (default stdout; tests pass a capture stream). */
export function createLogger(level: LogLevel, stream?: NodeJS.WritableStream): SesameLogger {
  return stream === undefined ? pino(loggerOptions(level)) : pino(loggerOptions(level), stream as DestinationStream);
}
