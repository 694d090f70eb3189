/**
 * Replies to requests Node cannot even parse (bad HTTP, oversized headers, timeouts), which never reach Fastify's hooks, with the same JSON shape and security headers as every other reply.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { REQUEST_ID_HEADER } from '../kernel/http/request-id.js';
import { answerFor, ERROR_HEADER, RequestError } from '../surfaces/api/errors.js';
import { seedReasonPhrase } from '../surfaces/api/reason-phrases.js';

/**
 * Headers helmet would have added: these raw replies bypass hooks, and OWASP ASVS 3.4.1 asks HSTS on every response.
 * Kept in step with `security-headers.ts`.
 */
const RAW_SECURITY_HEADERS = [
  'Strict-Transport-Security: max-age=31536000; includeSubDomains',
  "Content-Security-Policy: default-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options: nosniff',
  'X-Frame-Options: DENY',
  'Referrer-Policy: no-referrer',
  'Cache-Control: no-store',
].join('\r\n');

/** Fastify `clientErrorHandler`: answers 400, 408 or 431 with `{"message"}` and the security headers, then closes the socket. */
export function clientErrorHandler(this: FastifyInstance, error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { code, status, message } = answerFor(
    new RequestError(
      error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'request.timeout' : error.code === 'HPE_HEADER_OVERFLOW' ? 'request.headers_too_large' : 'request.not_http',
    ),
  );
  // Never the error itself: Node keeps the request's raw bytes on it (`rawPacket`: cookies, bodies, passwords). Nor
  // the client's X-Request-Id, which may be what broke the parser: a fresh id, so even this answer can be quoted.
  const requestId = randomUUID();
  this.log.debug({ clientError: error.code ?? 'unknown', status, reqId: requestId }, 'client error');
  // A HEAD answer has no body (the client would read one as the start of the next response); Node keeps the bytes it
  // could not parse, which start with the method.
  const rawPacket = (error as { rawPacket?: unknown }).rawPacket;
  const head = Buffer.isBuffer(rawPacket) && rawPacket.subarray(0, 5).toString('latin1') === 'HEAD ';
  const body = JSON.stringify({ message });
  // As Node's own handler: write only if nothing was written yet. A body that breaks the parser mid-request can
  // arrive after Fastify has already answered on this socket; a second reply would corrupt the stream.
  if (socket.writable && socket.bytesWritten === 0) {
    socket.write(
      `HTTP/1.1 ${status} ${seedReasonPhrase(status)}\r\nContent-Type: application/json; charset=utf-8\r\n${ERROR_HEADER}: ${code}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n${REQUEST_ID_HEADER}: ${requestId}\r\n${RAW_SECURITY_HEADERS}\r\nConnection: close\r\n\r\n${head ? '' : body}`,
    );
  }
  socket.destroy(error);
}
