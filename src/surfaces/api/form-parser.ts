/**
 * The form-body parser: fast-querystring (as @fastify/formbody uses) behind a strict check, so a malformed percent-encoding is a 400, not a silently garbled password.
 * @module
 */
import { parse } from 'fast-querystring';

/** Error code the error handler maps to a fixed 400 message. */
export const BAD_FORM_ENCODING = 'SESAME_BAD_FORM_ENCODING';

/** A client error carrying a status and a code, as Fastify's own errors do. */
class FormEncodingError extends Error {
  /** HTTP status for the error handler. */
  readonly statusCode = 400;
  /** Code the error handler maps to its message. */
  readonly code = BAD_FORM_ENCODING;
}

/**
 * Parses `application/x-www-form-urlencoded`. A lenient decoder keeps `%ZZ` or an invalid UTF-8 sequence as literal
 * text, so a client with a broken encoder would register a password it can never type again: refuse instead.
 */
export function parseForm(body: string): Record<string, unknown> {
  if (/%(?![0-9A-Fa-f]{2})/.test(body)) throw new FormEncodingError('malformed percent-encoding');
  try {
    decodeURIComponent(body.replaceAll('+', ' '));
  } catch {
    throw new FormEncodingError('percent-encoding is not UTF-8');
  }
  return parse(body);
}
