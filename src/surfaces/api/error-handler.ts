/**
 * One error handler for every route: client mistakes become a 4xx `{"message"}`; anything else is logged and is a 500 without details.
 * @module
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ServerBusyError } from '../../kernel/errors.js';
import { BAD_FORM_ENCODING } from './form-parser.js';
import { describeValidationError } from './validation.js';

/**
 * Fixed wording for Fastify's own client errors. Never echo the parser's message: a JSON syntax error quotes the
 * body it choked on, which may hold a password.
 */
const CLIENT_ERRORS: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported content type: send application/x-www-form-urlencoded or application/json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'content-length does not match the body',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body is too large',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'body is empty but content-type is application/json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'body is not valid JSON',
  FST_ERR_CTP_EMPTY_TYPE: 'content-type header is empty',
  FST_ERR_CTP_INVALID_TYPE: 'content-type header is invalid',
  FST_ERR_BAD_URL: 'URL is malformed',
  [BAD_FORM_ENCODING]: 'form body is not valid URL encoding (percent-escapes must be UTF-8 bytes like %C3%A9)',
};

/** Replies to an error thrown anywhere in a Sesame route (or its body parsing) with a JSON `{"message"}`. */
export function sesameErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (error.validation) {
    void reply.code(400).send({ message: describeValidationError(error.validation as never) });
    return;
  }
  if (error instanceof ServerBusyError) {
    // Load shedding, not a fault: a 429 with Retry-After tells a well-behaved client when to come back.
    void reply.code(429).header('retry-after', String(error.retryAfterSeconds)).send({ message: error.message });
    return;
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const known = CLIENT_ERRORS[error.code];
    // A SyntaxError from a JSON parser (ours or a host's) also quotes the body: reduce it to a fixed sentence.
    const message = known ?? (error instanceof SyntaxError ? 'body is not valid JSON' : 'request is invalid');
    void reply.code(status).send({ message });
    return;
  }
  request.log.error({ err: error }, 'unhandled error');
  void reply.code(500).send({ message: 'internal error' });
}
