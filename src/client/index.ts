/**
 * `sesame-auth/client`: a typed client for Sesame's JSON API over the global `fetch`, so browser and Node applications call
 * the routes README lists with checked inputs, results and refusal codes instead of hand-writing requests. It imports
 * nothing outside this folder, not even types (the refusal codes are listed in codes.ts), so a browser bundle holds
 * the client alone and its declarations type-check with the DOM's types only; the folder is also published on its
 * own as `sesame-auth-client`.
 * @module
 */
import { CookieJar } from './cookie-jar.js';
import { parseRetryAfter, SesameClientError, type SesameErrorCode } from './errors.js';

export { CookieJar } from './cookie-jar.js';
export { isSesameClientError, parseRetryAfter, SesameClientError, type SesameClientErrorInit, type SesameErrorCode } from './errors.js';
export type { SesameApiErrorCode } from './codes.js';

/** Options of {@link createSesameClient}. */
export interface SesameClientOptions {
  /** Where Sesame answers, with its mount prefix if any: `https://auth.example.com` or `https://app.example.com/auth`. */
  readonly baseUrl: string | URL;
  /** The `fetch` to use (default the global one): for a test double, a proxy agent, or a framework's own fetch. */
  readonly fetch?: typeof fetch;
  /**
   * Whether a browser sends its cookies (default `include`, so a page on another origin of the same site stays signed
   * in; `same-origin` when the page and Sesame share an origin and nothing else should carry them).
   */
  readonly credentials?: RequestCredentials;
  /**
   * Keep the session cookie in the client's own {@link CookieJar} (default: when there is no `document`, i.e. outside
   * a browser, where `fetch` keeps no cookies); pass a jar to share one between clients, `false` to leave cookies to
   * the platform.
   */
  readonly cookieJar?: CookieJar | boolean;
}

/** Body of `POST /users` and `POST /sessions`. */
export interface Credentials {
  /** The account's email, as the user typed it (the server trims and lower-cases it to match accounts). */
  readonly email: string;
  /** The password in clear; it only travels to the server. */
  readonly password: string;
}

/** Body of `POST /users`: the credentials, and what the server's sign-up rules may ask for besides. */
export interface RegisterInput extends Credentials {
  /** With `REGISTRATION=invite`: the token of the invitation link (`?invitation=`), sent with the address it was for. */
  readonly invitation?: string;
  /** With `REGISTRATION_CHALLENGE=all`: base64 of `{algorithm, challenge, number, salt, signature}`, see {@link SesameClient.registrationChallenge}. */
  readonly altcha?: string;
}

/** `GET /users/challenge`: a proof-of-work challenge (Altcha's v1 shape). */
export interface RegistrationChallenge {
  /** `SHA-256`. */
  readonly algorithm: string;
  /** The hex SHA-256 of `salt` followed by the secret number in decimal. */
  readonly challenge: string;
  /** The largest the number may be. */
  readonly maxnumber: number;
  /** Sent back unchanged (it carries the signed expiry). */
  readonly salt: string;
  /** Sent back unchanged. */
  readonly signature: string;
}

/** `{"email", "message"}`: what registration, login and both password updates answer. */
export interface EmailMessage {
  /** The email as it was sent. */
  readonly email: string;
  /** The server's confirmation (`user created`, `logged in`, `Password updated`). */
  readonly message: string;
}

/** `GET /profile`'s answer: who the session belongs to. */
export interface Profile {
  /** The account's email as stored. */
  readonly email: string;
}

/** One live session of the signed-in user, as `GET /sessions` lists it. */
export interface SessionInfo {
  /** A 16-hex-digit handle for `endSessions`; not a credential. */
  readonly id: string;
  /** When it began (ISO 8601). */
  readonly created_at: string;
  /** When it ends unless used up earlier (ISO 8601). */
  readonly expires_at: string;
  /** Whether it is the session this client presents. */
  readonly current: boolean;
  /** The `User-Agent` it was last used with (cut to 256 characters), or null when none was recorded. */
  readonly user_agent: string | null;
  /** The client address it was last used from (as `TRUST_PROXY` reads it), or null when none was recorded. */
  readonly ip: string | null;
  /** Its last recorded use (ISO 8601), its start until then; recorded at most once a minute, so it may lag by that much. */
  readonly last_seen_at: string;
}

/** `GET /sessions`'s answer: the user's live sessions, newest first. */
export interface SessionList {
  /** The sessions. */
  readonly sessions: readonly SessionInfo[];
}

/** Body of `POST /sessions/end`: the password again (ASVS V7.5.2), and which sessions to end. */
export interface EndSessionsInput {
  /** The current password. */
  readonly password: string;
  /** A session's `id` from `listSessions`, `others` (all but this one) or `all` (this one too). */
  readonly session: string;
}

/** `POST /sessions/end`'s answer. */
export interface EndedSessions {
  /** `session ended` or `sessions ended`. */
  readonly message: string;
  /** How many sessions ended. */
  readonly ended: number;
}

/** Body of `POST /reset_password`. */
export interface ResetTokenInput {
  /** The account's email. */
  readonly email: string;
}

/**
 * `POST /reset_password`'s answer: the token itself in development (`RESET_TOKEN_DELIVERY=response`, the seed's way),
 * or only a message in production, where the token goes to the mailer and the answer is the same for every email.
 */
export type ResetTokenReply = { readonly email: string; readonly reset_token: string } | EmailMessage;

/** Body of `PUT /reset_password`. */
export interface UpdatePasswordInput {
  /** The email the token was issued for. */
  readonly email: string;
  /** The token from `requestResetToken` (or the reset mail). */
  readonly reset_token: string;
  /** The password to set. */
  readonly new_password: string;
}

/** Body of `PUT /password`. */
export interface ChangePasswordInput {
  /** The current password. */
  readonly password: string;
  /** The password to set. */
  readonly new_password: string;
}

/** Body of `POST /email/verify`: the token from the message's link, or the address with the short code it carries. */
export type VerifyEmailInput = { readonly token: string } | { readonly email: string; readonly code: string };

/** Body of `POST /email/verify/resend`. */
export interface ResendVerificationInput {
  /** The address to send the verification message to again. */
  readonly email: string;
}

/** Body of `PUT /email`. */
export interface ChangeEmailInput {
  /** The current password: a session alone does not move an account to another mailbox. */
  readonly password: string;
  /** The address to move to; it receives a confirmation link and code. */
  readonly new_email: string;
}

/** Body and answer of `PUT /profile/language`. */
export interface LanguageSetting {
  /** A language Sesame writes mail in: `en` or `fr`. */
  readonly language: 'en' | 'fr';
}

/** Which page of `GET /profile/events` to read; the server's defaults stand for what is left out. */
export interface EventsPage {
  /** Events per page, 1 to 100 (default 50); anything else is a 400 `account.invalid_page`. */
  readonly limit?: number;
  /** Events to skip, newest first (default 0). */
  readonly offset?: number;
}

/** One audit event about the signed-in account, as `GET /profile/events` and `GET /profile/export` give it. */
export interface AccountEvent {
  /** What happened (`login.succeeded`, `password.changed`, ...). */
  readonly type: string;
  /** Who did it: `user`, `cli` or `admin:<token-id>`. */
  readonly actor: string;
  /** When (ISO 8601). */
  readonly created_at: string;
  /** The `X-Request-Id` of the request that caused it, or null outside a request. */
  readonly request_id: string | null;
  /** The client address of that request, or null. */
  readonly ip: string | null;
  /** The `User-Agent` of that request, or null. */
  readonly user_agent: string | null;
  /** The event's facts (counts, reasons), or null. */
  readonly detail: Readonly<Record<string, unknown>> | null;
}

/** `GET /profile/events`'s answer: a page of the account's own audit events, newest first. */
export interface AccountEventList {
  /** The events. */
  readonly events: readonly AccountEvent[];
}

/** The account itself in `GET /profile/export`: every column Sesame keeps but the password hash. */
export interface ExportedAccount {
  /** The account's number. */
  readonly id: number;
  /** The account's email as stored. */
  readonly email: string;
  /** Whether it can sign in (`active`) or an operator disabled it. */
  readonly state: 'active' | 'disabled';
  /** When it was created (ISO 8601). */
  readonly created_at: string;
  /** When it last changed (ISO 8601). */
  readonly updated_at: string;
  /** When it was disabled (ISO 8601), or null. */
  readonly disabled_at: string | null;
  /** The operator's reason for disabling it, or null. */
  readonly disabled_reason: string | null;
  /** When its address was proved (ISO 8601), or null while it is not. */
  readonly email_verified_at: string | null;
  /** The language of the messages Sesame sends it. */
  readonly language: string;
}

/** A session in `GET /profile/export`, live or ended, by its handle only (never its id or hash). */
export interface ExportedSession {
  /** The 16-hex-digit handle, as `listSessions` gives it. */
  readonly id: string;
  /** When it began (ISO 8601). */
  readonly created_at: string;
  /** When it ends or ended by its lifetime (ISO 8601). */
  readonly expires_at: string;
  /** Its last recorded use (ISO 8601), or null when none was recorded. */
  readonly last_used_at: string | null;
  /** When it ended early (ISO 8601), or null. */
  readonly ended_at: string | null;
  /** Why it ended early (`logout`, `password_change`, `revoked`, ...), or null. */
  readonly end_reason: string | null;
  /** Whether it is the session that asked for the export. */
  readonly current: boolean;
}

/** A message sent (or waiting to be sent) to the account's address in `GET /profile/export`: never its body. */
export interface ExportedMail {
  /** What the message was (`email_verify`, `password_reset`, ...). */
  readonly kind: string;
  /** How it went out. */
  readonly channel: 'email' | 'webhook';
  /** Where it stands in the outbox. */
  readonly status: 'pending' | 'sending' | 'sent' | 'failed' | 'suppressed';
  /** How many times sending was tried. */
  readonly attempts: number;
  /** When it was written (ISO 8601). */
  readonly created_at: string;
  /** When it was sent (ISO 8601), or null. */
  readonly sent_at: string | null;
}

/** `GET /profile/export`'s answer: everything Sesame keeps about the signed-in account, for the user to download. */
export interface ProfileExport {
  /** The account, without its password hash. */
  readonly account: ExportedAccount;
  /** Its sessions, live and ended. */
  readonly sessions: readonly ExportedSession[];
  /** Its audit events, newest first. */
  readonly events: readonly AccountEvent[];
  /** The messages sent to its address, newest first, kept until `MAIL_RETENTION`. */
  readonly mail: readonly ExportedMail[];
}

/** Body of `DELETE /profile`. */
export interface DeleteProfileInput {
  /** The current password: a session alone does not delete an account. */
  readonly password: string;
}

/** `{"message"}`: what `DELETE /profile` answers. */
export interface Confirmation {
  /** The server's confirmation (`account deleted`). */
  readonly message: string;
}

/** `GET /` answer. */
export interface Welcome {
  /** `Bienvenue`, the seed's greeting. */
  readonly message: string;
}

/** `GET /health/ready` and `GET /health/live` answer. */
export interface HealthStatus {
  /** `ok`. */
  readonly status: string;
}

/**
 * One Sesame, seen from a client. Every method resolves with the route's JSON answer or rejects with a
 * {@link SesameClientError} carrying the status, the `Sesame-Error` code, the message and any `Retry-After`.
 */
export interface SesameClient {
  /** `GET /`: the seed's welcome; a cheap way to see the service answers. */
  home(): Promise<Welcome>;
  /**
   * `POST /users`: creates an account (400 `users.email_taken`, `password.weak`, ...; 403 `signup.*` when the server's
   * sign-up rules refuse it: closed, invitation only, a domain outside its list, a missing or bad challenge).
   */
  register(input: RegisterInput): Promise<EmailMessage>;
  /**
   * `GET /users/challenge`: a proof-of-work challenge for `register` when the server asks for one: find `n` from 0 to
   * `maxnumber` with hex(SHA-256(salt + n)) = challenge, then send base64 of the JSON
   * `{algorithm, challenge, number: n, salt, signature}` as `altcha`.
   */
  registrationChallenge(): Promise<RegistrationChallenge>;
  /** `POST /sessions`: logs in and keeps the session cookie (401 `login.invalid_credentials`; 429 `rate_limit.exceeded`). */
  login(input: Credentials): Promise<EmailMessage>;
  /** `DELETE /sessions`: ends this session and forgets its cookie (the server's 302 is success; 403 `session.not_found`). */
  logout(): Promise<void>;
  /** `GET /profile`: who is signed in (403 `session.required`). */
  profile(): Promise<Profile>;
  /** `GET /sessions`: every live session of the signed-in user. */
  listSessions(): Promise<SessionList>;
  /** `POST /sessions/end`: ends one session by id, the others or all (403 `session.wrong_password`, 404 `session.unknown_handle`). */
  endSessions(input: EndSessionsInput): Promise<EndedSessions>;
  /** `POST /reset_password`: asks for a reset token (403 `reset.email_unknown` in development). */
  requestResetToken(input: ResetTokenInput): Promise<ResetTokenReply>;
  /** `PUT /reset_password`: sets a new password with a reset token, ending every session (403 `reset.token_invalid`). */
  updatePassword(input: UpdatePasswordInput): Promise<EmailMessage>;
  /** `PUT /password`: changes the password with the current one; the server ends every session and sets a fresh cookie. */
  changePassword(input: ChangePasswordInput): Promise<EmailMessage>;
  /**
   * `POST /email/verify`: proves an address with a link's token or the address and code (`email verified`), or
   * confirms a change of address (`email changed`); 403 `email.token_invalid`.
   */
  verifyEmail(input: VerifyEmailInput): Promise<EmailMessage>;
  /** `POST /email/verify/resend`: sends the verification message again; the same answer for every address. */
  resendVerification(input: ResendVerificationInput): Promise<EmailMessage>;
  /** `PUT /email`: starts moving the signed-in account to another address (403 `email.password_wrong`, 400 `users.email_taken`). */
  changeEmail(input: ChangeEmailInput): Promise<EmailMessage>;
  /** `PUT /profile/language`: the language of the messages Sesame sends the signed-in account. */
  setLanguage(input: LanguageSetting): Promise<LanguageSetting>;
  /** `GET /profile/events`: a page of the signed-in account's own audit events, newest first (400 `account.invalid_page`). */
  listProfileEvents(page?: EventsPage): Promise<AccountEventList>;
  /**
   * `GET /profile/export`: everything Sesame keeps about the signed-in account, as JSON; a page saves it with
   * `new Blob([JSON.stringify(data)], { type: 'application/json' })`.
   */
  exportProfile(): Promise<ProfileExport>;
  /**
   * `DELETE /profile`: deletes the signed-in account with its sessions and tokens, and forgets its cookie (403
   * `account.password_wrong`; 429 `rate_limit.exceeded`, the same password-guessing budget as a login).
   */
  deleteProfile(input: DeleteProfileInput): Promise<Confirmation>;
  /** `GET /health/ready`: whether the instance can serve (503 with `retryAfter` when its database does not answer). */
  ready(): Promise<HealthStatus>;
  /** `GET /health/live`: whether the process answers at all. */
  live(): Promise<HealthStatus>;
  /** The client's own cookie jar, or undefined where the platform (a browser) keeps cookies. */
  readonly cookieJar: CookieJar | undefined;
}

/** What one request sends. */
interface Call {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly body?: object;
  /** Only logout: its answer is a 302 to `/`, which must be seen, not followed. */
  readonly redirect?: 'manual';
}

/** Reads a body as JSON, or undefined for an empty or non-JSON body (a proxy's HTML error page). */
async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

/** The refusal a non-2xx response stands for. */
async function refusal(response: Response): Promise<SesameClientError> {
  const body = await readJson(response);
  const fields = typeof body === 'object' && body !== null ? (body as { message?: unknown; status?: unknown }) : {};
  const said = typeof fields.message === 'string' ? fields.message : typeof fields.status === 'string' ? fields.status : undefined;
  return new SesameClientError({
    status: response.status,
    // Trusted as sent: the server writes it from its own table, and a newer server's code is better passed on than hidden.
    code: (response.headers.get('sesame-error') ?? 'unknown') as SesameErrorCode,
    message: said ?? `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`,
    retryAfter: parseRetryAfter(response.headers.get('retry-after')),
  });
}

/** The query string of an events page: only what was given, so the server's defaults apply to the rest. */
function pageQuery(limit: number | undefined, offset: number | undefined): string {
  const query = new URLSearchParams();
  if (limit !== undefined) query.set('limit', String(limit));
  if (offset !== undefined) query.set('offset', String(offset));
  const text = query.toString();
  return text === '' ? '' : `?${text}`;
}

/** Builds a client for one Sesame service. */
export function createSesameClient(options: SesameClientOptions): SesameClient {
  const base = String(options.baseUrl).replace(/\/+$/, '');
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const credentials = options.credentials ?? 'include';
  const inBrowser = typeof (globalThis as { document?: unknown }).document !== 'undefined';
  const jarOption = options.cookieJar ?? !inBrowser;
  const jar = jarOption instanceof CookieJar ? jarOption : jarOption ? new CookieJar() : undefined;

  /** Sends one request with the jar's cookie, keeps what the answer sets, and turns a refusal into the typed error. */
  async function call<T>({ method, path, body, redirect }: Call): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    // No content type without a body: the server refuses an empty body that claims to be JSON.
    if (body !== undefined) headers['content-type'] = 'application/json';
    const cookie = jar?.header();
    if (cookie !== undefined) headers['cookie'] = cookie;
    const response = await doFetch(`${base}${path}`, {
      method,
      headers,
      credentials,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(redirect === undefined ? {} : { redirect }),
    });
    // Every answer may set or clear the cookie (a refused logout clears it too). `getSetCookie` is Node 20's and
    // modern browsers'; browsers never expose Set-Cookie anyway, and their jar is off.
    if (jar !== undefined) for (const line of response.headers.getSetCookie?.() ?? []) jar.store(line);
    // In a browser a manual redirect is an opaque response (status 0): the redirect itself is all it says.
    if (redirect === 'manual' && (response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400))) {
      await response.body?.cancel();
      return undefined as T;
    }
    if (!response.ok) throw await refusal(response);
    return (await readJson(response)) as T;
  }

  // Inputs are picked field by field: an object with more keys (a whole form's state) sends only what the route takes.
  return {
    cookieJar: jar,
    home: () => call({ method: 'GET', path: '/' }),
    // Only the fields given: a seed server, or one that asks for neither, gets exactly the seed's body.
    register: ({ email, password, invitation, altcha }) =>
      call({ method: 'POST', path: '/users', body: { email, password, ...(invitation === undefined ? {} : { invitation }), ...(altcha === undefined ? {} : { altcha }) } }),
    registrationChallenge: () => call({ method: 'GET', path: '/users/challenge' }),
    login: ({ email, password }) => call({ method: 'POST', path: '/sessions', body: { email, password } }),
    logout: () => call({ method: 'DELETE', path: '/sessions', redirect: 'manual' }),
    profile: () => call({ method: 'GET', path: '/profile' }),
    listSessions: () => call({ method: 'GET', path: '/sessions' }),
    endSessions: ({ password, session }) => call({ method: 'POST', path: '/sessions/end', body: { password, session } }),
    requestResetToken: ({ email }) => call({ method: 'POST', path: '/reset_password', body: { email } }),
    updatePassword: ({ email, reset_token, new_password }) => call({ method: 'PUT', path: '/reset_password', body: { email, reset_token, new_password } }),
    changePassword: ({ password, new_password }) => call({ method: 'PUT', path: '/password', body: { password, new_password } }),
    verifyEmail: (input) => call({ method: 'POST', path: '/email/verify', body: 'token' in input ? { token: input.token } : { email: input.email, code: input.code } }),
    resendVerification: ({ email }) => call({ method: 'POST', path: '/email/verify/resend', body: { email } }),
    changeEmail: ({ password, new_email }) => call({ method: 'PUT', path: '/email', body: { password, new_email } }),
    setLanguage: ({ language }) => call({ method: 'PUT', path: '/profile/language', body: { language } }),
    listProfileEvents: ({ limit, offset } = {}) => call({ method: 'GET', path: `/profile/events${pageQuery(limit, offset)}` }),
    exportProfile: () => call({ method: 'GET', path: '/profile/export' }),
    deleteProfile: ({ password }) => call({ method: 'DELETE', path: '/profile', body: { password } }),
    ready: () => call({ method: 'GET', path: '/health/ready' }),
    live: () => call({ method: 'GET', path: '/health/live' }),
  };
}
