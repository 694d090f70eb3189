/**
 * Every refusal code Sesame's API sends in the `Sesame-Error` header, written out here so the client's types stand
 * alone: the `sesame-auth-client` package holds this folder only, and a front end type-checks it with the DOM's types
 * and nothing of Node, Fastify or the server. The server's table (`API_ERRORS` in src/surfaces/api/errors.ts) is
 * checked against this list at compile time, both ways, so a code added to a module and not here fails the build.
 * @module
 */

/** A refusal code of Sesame's API: the part before the dot names who refuses (the request, a module, the admin API). */
export type SesameApiErrorCode =
  // The API surface itself: requests it cannot read, unknown routes, cross-site requests, faults, load.
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
  // The host application: sesame-auth/fetch mounted after a body parser of the host's, which read the body first.
  | 'host.body_consumed'
  // Accounts (users), sessions, passwords and logins, rate limits, the account API, email addresses.
  | 'users.not_found'
  | 'users.unknown_column'
  | 'users.email_taken'
  | 'users.invalid_email'
  | 'session.required'
  | 'session.not_found'
  | 'session.unknown_handle'
  | 'session.wrong_password'
  | 'password.weak'
  | 'password.breached'
  | 'password.check_busy'
  | 'password.too_costly'
  | 'password.current_wrong'
  | 'login.invalid_credentials'
  | 'login.email_not_verified'
  | 'reset.token_invalid'
  | 'reset.email_unknown'
  | 'rate_limit.exceeded'
  | 'account.not_found'
  | 'account.password_wrong'
  | 'account.invalid_page'
  | 'email.token_invalid'
  | 'email.password_wrong'
  | 'email.unchanged'
  | 'email.change_limited'
  // Who may sign up: the mode, the domain list, invitations and the proof-of-work challenge.
  | 'signup.closed'
  | 'signup.invitation_required'
  | 'signup.invitation_invalid'
  | 'signup.domain_not_allowed'
  | 'signup.challenge_required'
  | 'signup.challenge_invalid'
  | 'signup.invitation_undeliverable';
