/**
 * One error handler for every route: refusals are answered from the surface's table; Fastify's own client errors are
 * given codes; anything else is logged and is a 500 without details.
 * @module
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DatabaseUnavailableError, isDatabaseUnavailable } from '../../kernel/database/faults.js';
import { SesameError } from '../../kernel/errors.js';
import { RequestError, sendError, type RequestErrorCode } from './errors.js';
import { BAD_FORM_ENCODING } from './form-parser.js';
import { describeValidationError } from './validation.js';

/** Fastify's client-error codes, as the surface's own. */
const FASTIFY_CODES: Readonly<Record<string, RequestErrorCode>> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'request.unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'request.content_length_mismatch',
  FST_ERR_CTP_BODY_TOO_LARGE: 'request.body_too_large',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'request.empty_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'request.malformed_json',
  FST_ERR_CTP_EMPTY_TYPE: 'request.empty_content_type',
  FST_ERR_CTP_INVALID_TYPE: 'request.invalid_content_type',
  FST_ERR_BAD_URL: 'request.malformed_url',
  [BAD_FORM_ENCODING]: 'request.bad_form_encoding',
};

/**
 * The refusal an error thrown anywhere in a route (or its body parsing) stands for, or null for a fault. With the
 * request, a validation refusal names what the field must be from the route's own schema.
 */
export function refusalOf(error: FastifyError | SesameError, request?: FastifyRequest): SesameError | null {
  if (error instanceof SesameError) return error;
  // The database cannot serve now (dropped, refused, timed out, busy, full): a 503 that heals, not a bug.
  if (isDatabaseUnavailable(error)) return new DatabaseUnavailableError(error);
  if (error.validation) {
    const part = error.validationContext;
    const schema = part === undefined ? undefined : (request?.routeOptions.schema as Readonly<Record<string, unknown>> | undefined)?.[part];
    return new RequestError('request.invalid', describeValidationError(error.validation as never, schema));
  }
  const status = error.statusCode ?? 500;
  if (status < 400 || status >= 500) return null;
  // A SyntaxError from a JSON parser (ours or a host's) quotes the body: reduce it to a fixed sentence.
  const code = FASTIFY_CODES[error.code] ?? (error instanceof SyntaxError ? 'request.malformed_json' : 'request.malformed');
  return new RequestError(code);
}

/** Replies to an error thrown anywhere in a Sesame route with a JSON `{"message"}` from the table. */
export function sesameErrorHandler(error: FastifyError | SesameError, request: FastifyRequest, reply: FastifyReply): void {
  const refusal = refusalOf(error, request);
  if (refusal !== null) {
    if (refusal instanceof DatabaseUnavailableError) request.log.warn({ err: error }, 'database unavailable: answered 503');
    void sendError(reply, refusal);
    return;
  }
  request.log.error({ err: error }, 'unhandled error');
  void sendError(reply, new RequestError('server.internal'));
}
