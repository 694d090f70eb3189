/**
 * The schema atoms every module's routes are built from (fields, body types, reply shapes): route schemas are the one
 * source of input validation, response serialisation and the OpenAPI document, and these keep them alike.
 * @module
 */

// Type-only: brings @fastify/swagger's `summary`, `tags` and `consumes` into Fastify's route schema type.
import type {} from '@fastify/swagger';

/** The body types every route with a body accepts, listed in the OpenAPI document. */
export const BODY_TYPES = ['application/x-www-form-urlencoded', 'application/json'];

/** Longest email accepted, before and after normalisation (RFC 5321's path limit; the column is `varchar(320)`). */
export const MAX_EMAIL_LENGTH = 320;
/** Longest password accepted, in characters: far above NIST's 64-character floor, low enough to bound hashing work. */
export const MAX_PASSWORD_LENGTH = 1024;
/** Longest reset token accepted; real ones are 36 (UUID) or 43 (random) characters. */
export const MAX_TOKEN_LENGTH = 128;

/** An email field: loose (something@something), surrounding spaces allowed (and trimmed). */
export const email = {
  type: 'string',
  minLength: 1,
  maxLength: MAX_EMAIL_LENGTH,
  // Loose (something@something), because it also names accounts stored before the address rule, which must still
  // log in and reset; an address that enters (registration, a change) must also pass the users module's
  // `checkedEmail`. But never a control character (NUL, tab, line breaks, DEL, C1) or a format character (zero-width,
  // bidirectional controls) anywhere: they break mail headers and log lines, PostgreSQL refuses NUL, and they make
  // two addresses look alike. (Ajv compiles patterns with the `u` flag, which `\p{...}` needs.)
  pattern: '^ *[^\\s@\\p{Cc}\\p{Cf}]+@[^\\s@\\p{Cc}\\p{Cf}]+ *$',
} as const;
/** A password field. */
export const password = { type: 'string', minLength: 1, maxLength: MAX_PASSWORD_LENGTH } as const;
/** A one-time token field. */
export const token = { type: 'string', minLength: 1, maxLength: MAX_TOKEN_LENGTH } as const;

/** Builds an object schema whose listed string fields are all required. */
export function fields<T extends Record<string, object>>(properties: T) {
  return { type: 'object', required: Object.keys(properties), properties } as const;
}

/** `{"message": ...}`, the shape of every error and of `GET /`. */
export const messageReply = { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] } as const;
/** `{"email": ..., "message": ...}`. */
export const emailMessageReply = {
  type: 'object',
  properties: { email: { type: 'string' }, message: { type: 'string' } },
  required: ['email', 'message'],
} as const;
/** `{"email": ...}` of `GET /profile`. */
export const emailReply = { type: 'object', properties: { email: { type: 'string' } }, required: ['email'] } as const;
