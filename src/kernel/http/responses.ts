/**
 * The standard refusals of the routes' response schemas, built by one helper: which statuses a route can answer
 * follows from what it does (reads a body, changes state, needs a session, is rate-limited, touches the database),
 * so each route schema names those traits once and the OpenAPI document lists every answer with its body and headers,
 * while the serialiser writes the same `{"message"}` it always did.
 * @module
 */
import { messageReply } from './schemas.js';

/** The header that carries a refusal's stable code (`rate_limit.exceeded`, ...), for clients that branch on it. */
export const ERROR_HEADER = 'sesame-error';

/** The refusal statuses the API's routes document. */
export type RefusalStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 503;

/** What a route does that brings standard refusals with it. */
export type RouteTrait =
  /** Reads a form or JSON body: 400 for one it cannot read or validate, 413 past the body limit, 415 for another type. */
  | 'body'
  /** Changes state: 403 for a cross-site request (CSRF protection). */
  | 'state-changing'
  /** Runs only with a live session: 403 without one. */
  | 'session'
  /** Is rate-limited: 429 past a limit. */
  | 'rate-limited'
  /** Scores a new password: 429 while the scoring queue is full. */
  | 'new-password'
  /** Reads or writes the database, or hashes a password: 503 while it cannot. */
  | 'database';

/** Why each trait refuses, by status: the descriptions the document shows. */
const TRAIT_REFUSALS: { readonly [T in RouteTrait]: Readonly<Partial<Record<RefusalStatus, string>>> } = {
  body: {
    400: 'a field is missing, empty, not a string or invalid, or the body is not valid JSON or form encoding (`request.*`)',
    413: 'the body is over the limit, 16 KiB by default (`request.body_too_large`)',
    415: 'the body is neither `application/x-www-form-urlencoded` nor `application/json` (`request.unsupported_media_type`)',
  },
  'state-changing': { 403: 'a cross-site request: foreign `Origin` or `Sec-Fetch-Site: cross-site` (`csrf.*`)' },
  session: { 403: 'no live session cookie (`session.required`)' },
  'rate-limited': { 429: 'too many attempts from this client or on this account (`rate_limit.exceeded`)' },
  'new-password': { 429: 'too many new passwords are being scored right now (`password.check_busy`)' },
  database: {
    503: 'the database is unreachable (`database.unavailable`) or the instance is over capacity (`server.overloaded`): nothing changed, try again after `Retry-After`',
  },
};

/** A `Retry-After` header, on the refusals that tell the client when to come back. */
const RETRY_AFTER = { 'Retry-After': { type: 'integer', minimum: 0, description: 'Seconds to wait before trying again' } } as const;

/** One documented refusal: the `{"message"}` body, the code header and, for 429 and 503, `Retry-After`. */
function refusal(status: RefusalStatus, description: string) {
  return documented(messageReply, description, {
    'Sesame-Error': { type: 'string', description: 'The refusal\'s stable code (`API_ERRORS` in src/surfaces/api/errors.ts)' },
    ...(status === 429 || status === 503 ? RETRY_AFTER : {}),
  });
}

/**
 * The refusals a route can answer: those its traits bring and its own (`own`: status to what it means on this route),
 * each status once, its causes joined. Spread into the route's `response` schema beside the success.
 */
export function refusals(traits: readonly RouteTrait[], own: Readonly<Partial<Record<RefusalStatus, string>>> = {}): Record<string, ReturnType<typeof refusal>> {
  const causes = new Map<RefusalStatus, string[]>();
  for (const source of [own, ...traits.map((trait) => TRAIT_REFUSALS[trait])]) {
    for (const [status, cause] of Object.entries(source)) {
      const code = Number(status) as RefusalStatus;
      causes.set(code, [...(causes.get(code) ?? []), cause]);
    }
  }
  const responses: Record<string, ReturnType<typeof refusal>> = {};
  for (const status of [...causes.keys()].sort((a, b) => a - b)) {
    const text = (causes.get(status) ?? []).join('; or ');
    responses[status] = refusal(status, text.charAt(0).toUpperCase() + text.slice(1));
  }
  return responses;
}

/** A `Set-Cookie` header that sets the session cookie, for the answers that sign a client in. */
export const SETS_SESSION_COOKIE = {
  'Set-Cookie': { type: 'string', description: 'The session cookie: HttpOnly, SameSite=Lax, Path=/, Max-Age of SESSION_TTL (Secure in production)' },
} as const;

/** A `Set-Cookie` header that clears the session cookie (empty value, `Max-Age=0`), for the answers that sign out. */
export const CLEARS_SESSION_COOKIE = {
  'Set-Cookie': { type: 'string', description: 'Clears the session cookie (empty value, Max-Age=0)' },
} as const;

/**
 * A reply schema with what the document says of the answer: its meaning and headers. Both are keywords the serialiser
 * ignores; the description goes in @fastify/swagger's `x-response-description`, which it moves to the response
 * instead of repeating it in the body's schema.
 */
export function documented<S extends object>(schema: S, description: string, headers?: Readonly<Record<string, object>>): S & { 'x-response-description': string; headers?: Readonly<Record<string, object>> } {
  return { ...schema, 'x-response-description': description, ...(headers === undefined ? {} : { headers }) };
}
