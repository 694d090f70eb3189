/**
 * Route schemas: the one source of input validation, response serialisation and the OpenAPI document (`GET /openapi.json`) for every route.
 * @module
 */

// Type-only: brings @fastify/swagger's `summary`, `tags` and `consumes` into Fastify's route schema type.
import type {} from '@fastify/swagger';

/** The body types every route with a body accepts, listed in the OpenAPI document. */
export const BODY_TYPES = ['application/x-www-form-urlencoded', 'application/json'];

/** Longest email accepted (RFC 5321's path limit). */
export const MAX_EMAIL_LENGTH = 320;
/** Longest password accepted, in characters: far above NIST's 64-character floor, low enough to bound hashing work. */
export const MAX_PASSWORD_LENGTH = 1024;
/** Longest reset token accepted; real ones are 36 (UUID) or 43 (random) characters. */
const MAX_TOKEN_LENGTH = 128;

const email = {
  type: 'string',
  minLength: 1,
  maxLength: MAX_EMAIL_LENGTH,
  // Deliberately loose (something@something): the only proof an address works is mail reaching it.
  pattern: '^\\s*[^\\s@]+@[^\\s@]+\\s*$',
} as const;
const password = { type: 'string', minLength: 1, maxLength: MAX_PASSWORD_LENGTH } as const;
const token = { type: 'string', minLength: 1, maxLength: MAX_TOKEN_LENGTH } as const;

/** Builds an object schema whose listed string fields are all required. */
function fields<T extends Record<string, object>>(properties: T) {
  return { type: 'object', required: Object.keys(properties), properties } as const;
}

/** `POST /users` and `POST /sessions` form. */
export const credentialsBody = fields({ email, password });
/** `PUT /password` form. */
export const passwordChangeBody = fields({ password, new_password: password });
/** `POST /reset_password` form. */
export const resetRequestBody = fields({ email });
/** `PUT /reset_password` form. */
export const resetUpdateBody = fields({ email, reset_token: token, new_password: password });

/** Body of `POST /users` and `POST /sessions`. */
export interface CredentialsBody {
  /** The address as the client typed it. */
  email: string;
  /** The password in clear, only ever passed to the hasher. */
  password: string;
}
/** Body of `PUT /password`. */
export interface PasswordChangeBody {
  /** The current password, proving the person at the keyboard is the account's owner. */
  password: string;
  /** The password to set. */
  new_password: string;
}
/** Body of `POST /reset_password`. */
export interface ResetRequestBody {
  /** The address as the client typed it. */
  email: string;
}
/** Body of `PUT /reset_password`. */
export interface ResetUpdateBody {
  /** The address the token was issued for. */
  email: string;
  /** The token from `POST /reset_password`. */
  reset_token: string;
  /** The password to set. */
  new_password: string;
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
/** `{"email": ..., "reset_token": ...}` of `POST /reset_password`. */
export const resetTokenReply = {
  type: 'object',
  properties: { email: { type: 'string' }, reset_token: { type: 'string' } },
  required: ['email', 'reset_token'],
} as const;

/** `POST /sessions/end` form: the password again, and which sessions to end. */
export const endSessionsBody = fields({
  password,
  session: { type: 'string', pattern: '^([0-9a-f]{16}|others|all)$' },
});
/** Body of `POST /sessions/end`. */
export interface EndSessionsBody {
  /** The current password: ending sessions needs it again (ASVS V7.5.2). */
  password: string;
  /** A session's `id` from `GET /sessions`, `others` (all but this one) or `all` (this one too). */
  session: string;
}
/** `GET /sessions`: the user's live sessions, newest first. */
export const sessionListReply = {
  type: 'object',
  properties: {
    sessions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          created_at: { type: 'string', format: 'date-time' },
          expires_at: { type: 'string', format: 'date-time' },
          current: { type: 'boolean' },
        },
        required: ['id', 'created_at', 'expires_at', 'current'],
      },
    },
  },
  required: ['sessions'],
} as const;
/** `POST /sessions/end`: how many sessions ended. */
export const endSessionsReply = {
  type: 'object',
  properties: { message: { type: 'string' }, ended: { type: 'integer' } },
  required: ['message', 'ended'],
} as const;
