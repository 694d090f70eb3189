/**
 * The seed's task-20 end-to-end flow (its `main.py`) in TypeScript: one function per step, each sending what Python
 * `requests` sends (form-encoded bodies, a `session_id` cookie) and asserting the exact status and JSON body.
 * @module
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';

/** A v4 UUID in its 36-character text form, the shape of session ids and reset tokens. */
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** How long one request may take before the flow gives up on the server, in ms. */
const REQUEST_TIMEOUT_MS = 10_000;

/** A request as the seed's client makes it. */
interface SeedRequest {
  /** Form fields, sent as `application/x-www-form-urlencoded` like `requests.post(url, data=...)`. */
  readonly form?: Readonly<Record<string, string>>;
  /** The session id to send as the `session_id` cookie, like `cookies={"session_id": ...}`. */
  readonly sessionId?: string;
}

/** A response read in full: status, headers and body text. */
interface ReadResponse {
  /** HTTP status code. */
  readonly status: number;
  /** The status line's reason phrase. */
  readonly statusText: string;
  /** Response headers. */
  readonly headers: Headers;
  /** The body as text. */
  readonly text: string;
}

/** Joins a base URL (which may carry a path prefix) and a route path. */
function urlOf(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${path}`;
}

/** The path a logout redirect must point at: the base URL's own path (`/` for a server mounted at the root). */
function rootPathOf(baseUrl: string): string {
  return new URL(baseUrl).pathname.replace(/\/+$/, '') || '/';
}

/** Sends one request without following redirects and reads the whole response. */
async function send(baseUrl: string, method: string, path: string, request: SeedRequest = {}): Promise<ReadResponse> {
  const headers: Record<string, string> = { accept: '*/*' };
  let body: string | undefined;
  if (request.form !== undefined) {
    // Exactly what Python requests sends for data={...}: no charset parameter, '+' for spaces.
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(request.form).toString();
  }
  if (request.sessionId !== undefined) headers['cookie'] = `session_id=${request.sessionId}`;
  const url = urlOf(baseUrl, path);
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    throw new Error(`${method} ${url} got no response (${error instanceof Error ? error.message : String(error)}${cause})`);
  }
  return { status: response.status, statusText: response.statusText, headers: response.headers, text: await response.text() };
}

/** Parses a JSON body, failing with the raw text when it is not JSON. */
function jsonOf(response: ReadResponse, what: string): unknown {
  const type = response.headers.get('content-type') ?? '';
  assert.match(type, /^application\/json\b/, `${what}: expected a JSON response, got content-type ${JSON.stringify(type)}`);
  try {
    return JSON.parse(response.text) as unknown;
  } catch {
    throw new assert.AssertionError({ message: `${what}: body is not JSON: ${response.text}` });
  }
}

/** The reason phrases the seed's server (Flask on Werkzeug) writes on the status line, for the statuses the flow meets. */
const SEED_REASONS: Readonly<Record<number, string>> = { 200: 'OK', 302: 'FOUND', 400: 'BAD REQUEST', 401: 'UNAUTHORIZED', 403: 'FORBIDDEN' };

/**
 * Whether the run in progress checks the seed's reason phrases; off for a host whose server writes the standard ones
 * itself (a framework adapter that drops a Response's statusText), set by {@link runSeedFlow}'s option.
 */
let checkSeedReasons = true;

/** Asserts the status code and the seed's reason phrase, naming the request and showing the body when they differ. */
function expectStatus(response: ReadResponse, status: number, what: string): void {
  assert.equal(response.status, status, `${what}: expected status ${status}, got ${response.status} with body ${response.text}`);
  const reason = SEED_REASONS[status];
  if (reason !== undefined && checkSeedReasons) assert.equal(response.statusText, reason, `${what}: expected the status line ${status} ${reason}, got ${status} ${response.statusText}`);
}

/** Asserts the exact status and the exact JSON body. */
function expectJson(response: ReadResponse, status: number, body: unknown, what: string): void {
  expectStatus(response, status, what);
  assert.deepEqual(jsonOf(response, what), body, `${what}: unexpected JSON body`);
}

/** Asserts an error status whose JSON body is `{"message": "<some text>"}`. */
function expectError(response: ReadResponse, status: number, what: string): void {
  expectStatus(response, status, what);
  const body = jsonOf(response, what);
  assert.ok(typeof body === 'object' && body !== null && !Array.isArray(body), `${what}: body is not an object`);
  assert.deepEqual(Object.keys(body), ['message'], `${what}: error body must be exactly {"message": ...}`);
  assert.equal(typeof (body as { message: unknown }).message, 'string', `${what}: message must be a string`);
}

/** The value of the `session_id` cookie a response sets, or undefined. */
function sessionCookieOf(response: ReadResponse): string | undefined {
  for (const line of response.headers.getSetCookie()) {
    const match = /^session_id=([^;]*)/.exec(line);
    if (match?.[1] !== undefined && match[1] !== '') return decodeURIComponent(match[1]);
  }
  return undefined;
}

/** Step `register_user`: registers the account (200 `user created`), and a second registration is refused (400). */
export async function registerUser(baseUrl: string, email: string, password: string): Promise<void> {
  const created = await send(baseUrl, 'POST', '/users', { form: { email, password } });
  expectJson(created, 200, { email, message: 'user created' }, 'POST /users');
  const again = await send(baseUrl, 'POST', '/users', { form: { email, password } });
  expectJson(again, 400, { message: 'email already registered' }, 'POST /users (same email again)');
}

/** Step `log_in_wrong_password`: a login with the wrong password is refused with 401 and sets no session cookie. */
export async function logInWrongPassword(baseUrl: string, email: string, password: string): Promise<void> {
  const response = await send(baseUrl, 'POST', '/sessions', { form: { email, password } });
  expectError(response, 401, 'POST /sessions (wrong password)');
  assert.equal(sessionCookieOf(response), undefined, 'POST /sessions (wrong password) must not set a session_id cookie');
}

/** Step `log_in`: logs in (200 `logged in`) and returns the `session_id` cookie, a 36-character UUID. */
export async function logIn(baseUrl: string, email: string, password: string): Promise<string> {
  const response = await send(baseUrl, 'POST', '/sessions', { form: { email, password } });
  expectJson(response, 200, { email, message: 'logged in' }, 'POST /sessions');
  const sessionId = sessionCookieOf(response);
  assert.ok(sessionId !== undefined, 'POST /sessions must set a session_id cookie');
  assert.match(sessionId, UUID_V4, 'the session_id cookie must be a 36-character UUID');
  return sessionId;
}

/** Step `profile_unlogged`: `GET /profile` without a cookie is refused with 403. */
export async function profileUnlogged(baseUrl: string): Promise<void> {
  expectError(await send(baseUrl, 'GET', '/profile'), 403, 'GET /profile (no cookie)');
}

/** Step `profile_logged`: `GET /profile` with the session cookie answers 200 with the email. */
export async function profileLogged(baseUrl: string, sessionId: string, email: string): Promise<void> {
  expectJson(await send(baseUrl, 'GET', '/profile', { sessionId }), 200, { email }, 'GET /profile (logged in)');
}

/**
 * Step `log_out`: `DELETE /sessions` answers exactly 302 to the root, following it with a GET (as `requests` does)
 * reads `{"message": "Bienvenue"}`, and the session no longer opens `/profile`.
 */
export async function logOut(baseUrl: string, sessionId: string): Promise<void> {
  const response = await send(baseUrl, 'DELETE', '/sessions', { sessionId });
  expectStatus(response, 302, 'DELETE /sessions');
  const location = response.headers.get('location');
  assert.equal(location, rootPathOf(baseUrl), 'DELETE /sessions must redirect to the root');
  const home = await fetch(new URL(location, urlOf(baseUrl, '/')), { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const homeRead: ReadResponse = { status: home.status, statusText: home.statusText, headers: home.headers, text: await home.text() };
  expectJson(homeRead, 200, { message: 'Bienvenue' }, `GET ${location} (after the logout redirect)`);
  expectError(await send(baseUrl, 'GET', '/profile', { sessionId }), 403, 'GET /profile (after logout)');
}

/** Step `reset_password_token`: `POST /reset_password` answers 200 with the email and a 36-character token, returned. */
export async function resetPasswordToken(baseUrl: string, email: string): Promise<string> {
  const response = await send(baseUrl, 'POST', '/reset_password', { form: { email } });
  expectStatus(response, 200, 'POST /reset_password');
  const body = jsonOf(response, 'POST /reset_password') as { email?: unknown; reset_token?: unknown };
  assert.deepEqual(Object.keys(body).sort(), ['email', 'reset_token'], 'POST /reset_password: body must be {"email", "reset_token"}');
  assert.equal(body.email, email, 'POST /reset_password must echo the email');
  assert.equal(typeof body.reset_token, 'string', 'POST /reset_password: reset_token must be a string');
  const token = body.reset_token as string;
  assert.match(token, UUID_V4, 'POST /reset_password: reset_token must be a 36-character UUID');
  return token;
}

/** Step `update_password`: `PUT /reset_password` with the token answers 200 `Password updated`. */
export async function updatePassword(baseUrl: string, email: string, resetToken: string, newPassword: string): Promise<void> {
  const response = await send(baseUrl, 'PUT', '/reset_password', {
    form: { email, reset_token: resetToken, new_password: newPassword },
  });
  expectJson(response, 200, { email, message: 'Password updated' }, 'PUT /reset_password');
}

/** Options of {@link runSeedFlow}. */
export interface SeedFlowOptions {
  /** Account email; default a fresh unique address, so the flow can run many times against one long-lived server. */
  readonly email?: string;
  /** First password (the seed's `PASSWD`). */
  readonly password?: string;
  /** Password set through the reset token (the seed's `NEW_PASSWD`). */
  readonly newPassword?: string;
  /** Called with each step's name once it has passed. */
  readonly onStep?: (step: string) => void;
  /** `false` for a host server that writes the standard reason phrases (`400 Bad Request`) whatever the app says. */
  readonly seedReasonPhrases?: boolean;
}

/** What a completed flow used, so a caller can look for it elsewhere (e.g. make sure no log line contains a secret). */
export interface SeedFlowResult {
  /** The account's email. */
  readonly email: string;
  /** Both passwords used. */
  readonly passwords: readonly string[];
  /** Every session id the server handed out. */
  readonly sessionIds: readonly string[];
  /** The reset token the server handed out. */
  readonly resetToken: string;
}

/** A fresh, unique email address for one run of the flow. */
export function uniqueEmail(label = 'seed'): string {
  return `${label}-${Date.now()}-${randomUUID().slice(0, 8)}@e2e.sesame.test`;
}

/**
 * Runs the seed's task-20 flow against a running server, step by step as its `main.py` does, then also checks the
 * old password stopped working; throws an `AssertionError` naming the failing step and request.
 */
export async function runSeedFlow(baseUrl: string, options: SeedFlowOptions = {}): Promise<SeedFlowResult> {
  checkSeedReasons = options.seedReasonPhrases ?? true;
  try {
    return await runSteps(baseUrl, options);
  } finally {
    checkSeedReasons = true;
  }
}

/** The flow's steps in order, as {@link runSeedFlow} describes. */
async function runSteps(baseUrl: string, options: SeedFlowOptions): Promise<SeedFlowResult> {
  const email = options.email ?? uniqueEmail();
  const password = options.password ?? 'b4l0u';
  const newPassword = options.newPassword ?? 't4rt1fl3tt3';
  const sessionIds: string[] = [];
  let resetToken = '';

  const steps: ReadonlyArray<readonly [string, () => Promise<void>]> = [
    ['register_user', () => registerUser(baseUrl, email, password)],
    ['log_in_wrong_password', () => logInWrongPassword(baseUrl, email, newPassword)],
    ['log_in', async () => void sessionIds.push(await logIn(baseUrl, email, password))],
    ['profile_unlogged', () => profileUnlogged(baseUrl)],
    ['profile_logged', () => profileLogged(baseUrl, sessionIds[0] ?? '', email)],
    ['log_out', () => logOut(baseUrl, sessionIds[0] ?? '')],
    ['reset_password_token', async () => void (resetToken = await resetPasswordToken(baseUrl, email))],
    ['update_password', () => updatePassword(baseUrl, email, resetToken, newPassword)],
    ['log_in (new password)', async () => void sessionIds.push(await logIn(baseUrl, email, newPassword))],
    ['log_in_wrong_password (old password)', () => logInWrongPassword(baseUrl, email, password)],
  ];
  for (const [name, step] of steps) {
    try {
      await step();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const failure = new Error(`seed flow step ${name} failed against ${baseUrl}: ${reason}`, { cause: error });
      throw failure;
    }
    options.onStep?.(name);
  }
  return { email, passwords: [password, newPassword], sessionIds, resetToken };
}
