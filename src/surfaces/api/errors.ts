/**
 * The JSON API's one table from refusal code to answer: every status and client message the surface gives for a
 * refusal is here, nowhere else. Bodies are the seed's `{"message"}` (seed clients compare them whole); the code
 * travels in the `Sesame-Error` header, for clients that want to branch on it without parsing wording.
 * @module
 */
import type { FastifyReply } from 'fastify';
import type { SesameApiErrorCode } from '../../client/codes.js';
import { SesameError, ServerBusyError } from '../../kernel/errors.js';
import { ERROR_HEADER } from '../../kernel/http/responses.js';
import type { AccountsErrorCode } from '../../modules/accounts/index.js';
import type { EmailErrorCode } from '../../modules/email/index.js';
import type { PasswordErrorCode } from '../../modules/password/index.js';
import type { RateLimitsErrorCode } from '../../modules/rate-limits/index.js';
import type { SessionsErrorCode } from '../../modules/sessions/index.js';
import type { SignupErrorCode } from '../../modules/signup/index.js';
import type { UsersErrorCode } from '../../modules/users/index.js';

/** Refusals the surface itself raises: requests it cannot read, unknown routes, cross-site requests, faults. */
export type RequestErrorCode =
  | 'request.invalid'
  | 'request.malformed_json'
  | 'request.json_duplicate_key'
  | 'request.json_not_utf8'
  | 'request.empty_json'
  | 'request.body_too_large'
  | 'request.unsupported_media_type'
  | 'request.content_length_mismatch'
  | 'request.empty_content_type'
  | 'request.invalid_content_type'
  | 'request.malformed_url'
  | 'request.invalid_host'
  | 'request.method_not_implemented'
  | 'request.bad_form_encoding'
  | 'request.malformed'
  | 'request.timeout'
  | 'request.headers_too_large'
  | 'request.not_http'
  | 'request.expectation_failed'
  | 'route.not_found'
  | 'csrf.cross_site'
  | 'csrf.untrusted_origin'
  | 'server.internal'
  | 'database.unavailable'
  | 'server.overloaded'
  | 'admin.unauthorized'
  | 'host.body_consumed';

/** Every code the API surface can answer with: its own and every module's. */
export type ApiErrorCode = RequestErrorCode | UsersErrorCode | SessionsErrorCode | PasswordErrorCode | RateLimitsErrorCode | AccountsErrorCode | EmailErrorCode | SignupErrorCode;

/**
 * `true` when the client's list of codes (src/client/codes.ts, written out there so the published client stands
 * alone) is exactly this surface's; the constraint below turns a drift either way into a build error.
 */
type SameCodes<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** Compile-time proof that the client names every code this table answers with, and none it does not. */
export type ClientKnowsEveryCode<T extends true = SameCodes<ApiErrorCode, SesameApiErrorCode>> = T;

/** A refusal raised by the surface itself. */
export class RequestError extends SesameError<RequestErrorCode> {
  /** Builds the refusal; `message` is shown only for codes whose table entry takes the error's own message. */
  constructor(code: RequestErrorCode, message: string = code) {
    super(code, message);
  }
}

/** How the surface answers one code: a status, and a fixed message (absent: the error's own, e.g. a policy's advice). */
export interface ErrorAnswer {
  readonly status: number;
  readonly message?: string;
}

/**
 * The table. A client error never echoes what it was sent: a JSON syntax error quotes the body it choked on, which
 * may hold a password, so Fastify's own messages are replaced by fixed sentences.
 */
export const API_ERRORS: { readonly [C in ApiErrorCode]: ErrorAnswer } = {
  'request.invalid': { status: 400 },
  'request.malformed_json': { status: 400, message: 'body is not valid JSON' },
  'request.json_duplicate_key': { status: 400, message: 'body has a key twice: each field may appear once' },
  'request.json_not_utf8': { status: 400, message: 'body is not valid UTF-8' },
  'request.empty_json': { status: 400, message: 'body is empty but content-type is application/json' },
  'request.body_too_large': { status: 413, message: 'body is too large' },
  'request.unsupported_media_type': { status: 415, message: 'unsupported content type: send application/x-www-form-urlencoded or application/json' },
  'request.content_length_mismatch': { status: 400, message: 'content-length does not match the body' },
  'request.empty_content_type': { status: 400, message: 'content-type header is empty' },
  'request.invalid_content_type': { status: 400, message: 'content-type header is invalid' },
  'request.malformed_url': { status: 400, message: 'URL is malformed' },
  // Only sesame-auth/fetch's Node adapter raises these two: a bare node:http host hands it what a WHATWG Request refuses.
  'request.invalid_host': { status: 400, message: 'Host header is invalid' },
  'request.method_not_implemented': { status: 501, message: 'this method is not implemented' },
  'request.bad_form_encoding': { status: 400, message: 'form body is not valid URL encoding (percent-escapes must be UTF-8 bytes like %C3%A9)' },
  'request.malformed': { status: 400, message: 'request is invalid' },
  'request.timeout': { status: 408, message: 'request timed out' },
  'request.headers_too_large': { status: 431, message: 'request headers are too large' },
  'request.not_http': { status: 400, message: 'request is not valid HTTP' },
  'request.expectation_failed': { status: 417, message: 'only Expect: 100-continue is supported' },
  'route.not_found': { status: 404 },
  'csrf.cross_site': { status: 403, message: 'cross-site request refused' },
  'csrf.untrusted_origin': { status: 403, message: 'cross-site request refused: origin is not trusted' },
  'server.internal': { status: 500, message: 'internal error' },
  'server.overloaded': { status: 503, message: 'the service is over capacity right now: try again in a few seconds' },
  'database.unavailable': { status: 503, message: 'the service cannot reach its database right now: try again in a few seconds' },
  'users.email_taken': { status: 400, message: 'email already registered' },
  'users.invalid_email': { status: 400 },
  // Programming errors of a caller of the seed facade; no route raises them, so reaching a client is a bug.
  'users.not_found': { status: 500, message: 'internal error' },
  'users.unknown_column': { status: 500, message: 'internal error' },
  'session.required': { status: 403, message: 'a valid session is required' },
  'session.not_found': { status: 403, message: 'no such session' },
  'session.unknown_handle': { status: 404, message: 'no such session' },
  'session.wrong_password': { status: 403, message: 'password is wrong' },
  'password.weak': { status: 400 },
  // The policy's advice is the message, as for password.weak; it says "known breaches", never which list.
  'password.breached': { status: 400 },
  'password.check_busy': { status: 429 },
  'password.too_costly': { status: 400, message: 'this password takes too long to assess: choose a passphrase of several unrelated words' },
  'password.current_wrong': { status: 403, message: 'current password is wrong' },
  // One message for unknown email and wrong password, so the reply does not reveal which accounts exist.
  'login.invalid_credentials': { status: 401, message: 'wrong email or password' },
  // Only after the right password: a wrong one still answers 401, so only the password holder learns the state.
  'login.email_not_verified': { status: 403, message: 'email not verified' },
  'reset.token_invalid': { status: 403, message: 'invalid reset token' },
  'reset.email_unknown': { status: 403, message: 'email not registered' },
  'rate_limit.exceeded': { status: 429 },
  // Who may sign up: each refusal follows from the mode, the domain or what the client sent, never from whether the
  // address has an account, so a distinct answer for each tells no one who is registered.
  'signup.closed': { status: 403, message: 'sign-up is closed: ask an administrator for an account' },
  'signup.invitation_required': { status: 403, message: 'sign-up is by invitation only: use the link of your invitation' },
  'signup.invitation_invalid': { status: 403, message: 'this invitation is unknown, used, expired or for another address' },
  'signup.domain_not_allowed': { status: 403, message: 'sign-up is limited to some email domains, and this address is not in one' },
  'signup.challenge_required': { status: 403, message: 'solve the sign-up challenge first: GET /users/challenge, then send its solution as altcha' },
  'signup.challenge_invalid': { status: 403, message: 'the sign-up challenge is wrong, expired or already used: get a new one' },
  // Only the admin API's invitations raise it: the operator's configuration, not the request, is what is missing.
  'signup.invitation_undeliverable': { status: 409 },
  // Only operators' tools look accounts up by id; an owner's routes act on the session's own account.
  'account.not_found': { status: 404, message: 'no such account' },
  'account.password_wrong': { status: 403, message: 'password is wrong' },
  'account.invalid_page': { status: 400 },
  'email.token_invalid': { status: 403, message: 'invalid or expired verification token' },
  'email.password_wrong': { status: 403, message: 'password is wrong' },
  'email.unchanged': { status: 400, message: 'this is already the account\'s email' },
  'email.change_limited': { status: 429, message: 'too many changes of address: try again in an hour' },
  // The admin listener's only refusal of its own: one answer for a missing, unknown or revoked token.
  'admin.unauthorized': { status: 401, message: 'a valid admin token is required' },
  // Only sesame-auth/fetch raises it: the host's own body parser read the body first. The host, not the client, is
  // at fault (so a 5xx), and the message says what to change, since the developer meets it in their first test.
  'host.body_consumed': { status: 500, message: "the request body was read before Sesame's handler: mount Sesame's handler before any body parser" },
};

/** The header that carries the refusal's code; defined beside the route schemas that document it. */
export { ERROR_HEADER };

/** The answer for an error's code; a code the table does not know is a fault. */
export function answerFor(error: SesameError): { readonly code: string; readonly status: number; readonly message: string } {
  const answer = (API_ERRORS as Readonly<Record<string, ErrorAnswer | undefined>>)[error.code];
  if (answer === undefined) return { code: 'server.internal', status: 500, message: API_ERRORS['server.internal'].message ?? 'internal error' };
  return { code: error.code, status: answer.status, message: answer.message ?? error.message };
}

/** Answers a refusal from the table: status, `{"message"}`, the code header and, for load shedding, `Retry-After`. */
export function sendError(reply: FastifyReply, error: SesameError): FastifyReply {
  const { code, status, message } = answerFor(error);
  void reply.code(status).header(ERROR_HEADER, code);
  if (error instanceof ServerBusyError && (status === 429 || status === 503)) void reply.header('retry-after', String(error.retryAfterSeconds));
  return reply.send({ message });
}
