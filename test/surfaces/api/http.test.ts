/**
 * HTTP-level tests of the standalone app built in-process and listening on a loopback port, driven with the real
 * global fetch over a real SQLite file: bad input, content types, email echo, sessions on two devices, logout,
 * reset tokens, races, cookie and cache headers, and no 5xx anywhere.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startService, type Service } from '../../support/in-process.js';

/** Session lifetime the app is started with, and the Max-Age the login cookie must carry. */
const SESSION_TTL_SECONDS = 7200;

let server: Service;
/** Every 5xx any request in this file received; checked after each test. */
const serverErrors: string[] = [];

beforeAll(async () => {
  server = await startService({ LOG_LEVEL: 'info', SESSION_TTL: `${SESSION_TTL_SECONDS}s` });
});
afterAll(async () => {
  await server.stop();
});
afterEach(() => {
  expect(serverErrors.splice(0), 'no request may get a 5xx').toEqual([]);
});

/** A request body in one of the shapes clients send. */
type Body =
  | { readonly form: Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]> }
  | { readonly json: unknown }
  | { readonly raw: string; readonly type?: string }
  | { readonly multipart: Readonly<Record<string, string>> };

/** One request: an optional body and an optional session id for the cookie. */
interface Call {
  readonly body?: Body;
  readonly sessionId?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A response read in full. */
interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed JSON body (undefined when the body is not JSON). */
  readonly json: unknown;
  /** The `session_id` value the response sets, or undefined. */
  readonly sessionCookie: string | undefined;
}

/** Builds fetch's body and content type from a {@link Body}. */
function encode(body: Body): { body: BodyInit; type: string | undefined } {
  if ('form' in body) {
    const pairs = Array.isArray(body.form) ? body.form : Object.entries(body.form);
    return { body: new URLSearchParams(pairs.map(([k, v]) => [k, v])).toString(), type: 'application/x-www-form-urlencoded' };
  }
  if ('json' in body) return { body: JSON.stringify(body.json), type: 'application/json' };
  if ('raw' in body) return { body: body.raw, type: body.type };
  const data = new FormData();
  for (const [key, value] of Object.entries(body.multipart)) data.append(key, value);
  return { body: data, type: undefined };
}

/** Sends one request to the app without following redirects and records any 5xx. */
async function call(method: string, path: string, request: Call = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...request.headers };
  let body: BodyInit | undefined;
  if (request.body !== undefined) {
    const encoded = encode(request.body);
    body = encoded.body;
    if (encoded.type !== undefined) headers['content-type'] = encoded.type;
  }
  if (request.sessionId !== undefined) headers['cookie'] = `session_id=${request.sessionId}`;
  const response = await fetch(`${server.url}${path}`, { method, headers, body, redirect: 'manual' });
  const text = await response.text();
  if (response.status >= 500) serverErrors.push(`${method} ${path} -> ${response.status} ${text}`);
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    json = undefined;
  }
  const setCookie = response.headers.getSetCookie().find((line) => line.startsWith('session_id='));
  const value = setCookie === undefined ? undefined : /^session_id=([^;]*)/.exec(setCookie)?.[1];
  return { status: response.status, headers: response.headers, text, json, sessionCookie: value || undefined };
}

/** A fresh unique email. */
function newEmail(label = 'http'): string {
  return `${label}-${randomUUID().slice(0, 8)}@example.test`;
}

/** Registers an account and checks it worked. */
async function register(email: string, password: string): Promise<void> {
  const reply = await call('POST', '/users', { body: { form: { email, password } } });
  expect(reply.status, reply.text).toBe(200);
}

/** Logs in, checks it worked, and returns the session id. */
async function logIn(email: string, password: string): Promise<string> {
  const reply = await call('POST', '/sessions', { body: { form: { email, password } } });
  expect(reply.status, reply.text).toBe(200);
  expect(reply.sessionCookie).toBeDefined();
  return reply.sessionCookie ?? '';
}

/** The status `GET /profile` gives a session id. */
async function profileStatus(sessionId: string): Promise<number> {
  return (await call('GET', '/profile', { sessionId })).status;
}

/** Asks for a reset token and returns it. */
async function resetToken(email: string): Promise<string> {
  const reply = await call('POST', '/reset_password', { body: { form: { email } } });
  expect(reply.status, reply.text).toBe(200);
  return (reply.json as { reset_token: string }).reset_token;
}

/** Asserts a 4xx whose body is exactly `{"message": <text matching pattern>}`. */
function expectClientError(reply: Reply, status: number, pattern: RegExp): void {
  expect(reply.status, reply.text).toBe(status);
  expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
  expect(Object.keys(reply.json as object)).toEqual(['message']);
  expect((reply.json as { message: string }).message).toMatch(pattern);
}

// ---------------------------------------------------------------------------------------------------------------
// Bad input, route by route.

/** A route with a body, how to prepare a valid request for it, and how to prove a refused request changed nothing. */
interface BodyRoute {
  readonly method: 'POST' | 'PUT';
  readonly path: string;
  /** Required fields, in schema order. */
  readonly fields: readonly string[];
  /** Prepares state (a fresh account, a token) and returns a valid field map plus its secrets. */
  prepare(): Promise<{ valid: Record<string, string>; secrets: string[] }>;
  /** Proves the refused request stored nothing, using the same valid field map. */
  verifyUnchanged(valid: Record<string, string>): Promise<void>;
}

const bodyRoutes: readonly BodyRoute[] = [
  {
    method: 'POST',
    path: '/users',
    fields: ['email', 'password'],
    prepare: async () => {
      const valid = { email: newEmail('users'), password: `pw-${randomUUID()}` };
      return { valid, secrets: [valid.password] };
    },
    // Nothing was stored: registering the same email now succeeds.
    verifyUnchanged: async (valid) => register(valid['email'] ?? '', valid['password'] ?? ''),
  },
  {
    method: 'POST',
    path: '/sessions',
    fields: ['email', 'password'],
    prepare: async () => {
      const valid = { email: newEmail('sessions'), password: `pw-${randomUUID()}` };
      await register(valid.email, valid.password);
      return { valid, secrets: [valid.password] };
    },
    // The account is intact: the right password still logs in.
    verifyUnchanged: async (valid) => void (await logIn(valid['email'] ?? '', valid['password'] ?? '')),
  },
  {
    method: 'POST',
    path: '/reset_password',
    fields: ['email'],
    prepare: async () => {
      const valid = { email: newEmail('reset') };
      await register(valid.email, 'pw');
      return { valid, secrets: [] };
    },
    verifyUnchanged: async (valid) => {
      expect((await call('POST', '/reset_password', { body: { form: valid } })).status).toBe(200);
      await logIn(valid['email'] ?? '', 'pw');
    },
  },
  {
    method: 'PUT',
    path: '/reset_password',
    fields: ['email', 'reset_token', 'new_password'],
    prepare: async () => {
      const email = newEmail('update');
      await register(email, 'old-pw');
      const valid = { email, reset_token: await resetToken(email), new_password: `new-${randomUUID()}` };
      return { valid, secrets: [valid.reset_token, valid.new_password] };
    },
    // The password is unchanged and the token unspent: the old password works, then the token still does.
    verifyUnchanged: async (valid) => {
      await logIn(valid['email'] ?? '', 'old-pw');
      const reply = await call('PUT', '/reset_password', { body: { form: valid } });
      expect(reply.status, reply.text).toBe(200);
    },
  },
];

/** One way of getting a request wrong: the body to send given a valid field map, the status and the message. */
interface Fault {
  readonly name: string;
  readonly body: (valid: Record<string, string>) => Body | undefined;
  readonly status: number;
  readonly message: RegExp;
}

/** Every fault for a route: per-field ones for each required field, then whole-body ones. */
function faultsFor(route: BodyRoute): Fault[] {
  const perField = route.fields.flatMap((field): Fault[] => {
    const without = (valid: Record<string, string>) => Object.fromEntries(Object.entries(valid).filter(([k]) => k !== field));
    return [
      { name: `form without ${field}`, body: (v) => ({ form: without(v) }), status: 400, message: new RegExp(`^${field} is required$`) },
      { name: `JSON without ${field}`, body: (v) => ({ json: without(v) }), status: 400, message: new RegExp(`^${field} is required$`) },
      { name: `empty ${field}`, body: (v) => ({ form: { ...v, [field]: '' } }), status: 400, message: new RegExp(`^${field} must not be empty$`) },
      { name: `${field} as a JSON number`, body: (v) => ({ json: { ...v, [field]: 12345 } }), status: 400, message: new RegExp(`^${field} must be a string$`) },
      { name: `${field} as a JSON array`, body: (v) => ({ json: { ...v, [field]: [v[field]] } }), status: 400, message: new RegExp(`^${field} must be a string$`) },
      { name: `${field} as JSON null`, body: (v) => ({ json: { ...v, [field]: null } }), status: 400, message: new RegExp(`^${field} must be a string$`) },
      { name: `${field} as a JSON object`, body: (v) => ({ json: { ...v, [field]: { value: v[field] } } }), status: 400, message: new RegExp(`^${field} must be a string$`) },
      {
        name: `${field} repeated in the form (an array)`,
        body: (v) => ({ form: [...Object.entries(v), [field, v[field] ?? '']] }),
        status: 400,
        message: new RegExp(`^${field} must be a string$`),
      },
    ];
  });
  const whole: Fault[] = [
    {
      name: 'malformed JSON holding the secrets',
      // A truncated object: the parser's own message would quote it, password and all.
      body: (v) => ({ raw: JSON.stringify(v).slice(0, -2), type: 'application/json' }),
      status: 400,
      message: /^body is not valid JSON$/,
    },
    { name: 'an empty JSON body', body: () => ({ raw: '', type: 'application/json' }), status: 400, message: /empty/ },
    { name: 'a JSON array body', body: (v) => ({ json: [v] }), status: 400, message: /^body must be a form or JSON object$/ },
    { name: 'a JSON string body', body: () => ({ json: 'email' }), status: 400, message: /^body must be a form or JSON object$/ },
    { name: 'no body at all', body: () => undefined, status: 400, message: /^body must be a form or JSON object$/ },
    { name: 'JSON null as the body', body: () => ({ raw: 'null', type: 'application/json' }), status: 400, message: /^body must be a form or JSON object$/ },
    {
      name: 'JSON with a __proto__ key',
      body: (v) => ({ raw: `{"__proto__": {"admin": true}, ${JSON.stringify(v).slice(1)}`, type: 'application/json' }),
      status: 400,
      message: /^body is not valid JSON$/,
    },
    {
      name: 'a body over the 16 KiB limit',
      body: (v) => ({ form: { ...v, padding: 'x'.repeat(17 * 1024) } }),
      status: 413,
      message: /^body is too large$/,
    },
    {
      name: 'a JSON body over the 16 KiB limit',
      body: (v) => ({ json: { ...v, padding: 'x'.repeat(17 * 1024) } }),
      status: 413,
      message: /^body is too large$/,
    },
    {
      name: 'text/plain',
      body: (v) => ({ raw: new URLSearchParams(v).toString(), type: 'text/plain' }),
      status: 415,
      message: /content type/,
    },
    { name: 'multipart/form-data', body: (v) => ({ multipart: v }), status: 415, message: /content type/ },
    { name: 'an XML content type', body: () => ({ raw: '<email/>', type: 'application/xml' }), status: 415, message: /content type/ },
  ];
  return [...perField, ...whole];
}

describe.each(bodyRoutes)('$method $path refuses bad input with a 4xx JSON message and stores nothing', (route) => {
  it.each(faultsFor(route).map((fault) => [fault.name, fault] as const))('%s', async (_name, fault) => {
    const { valid, secrets } = await route.prepare();
    const body = fault.body(valid);
    const reply = await call(route.method, route.path, body === undefined ? {} : { body });
    expectClientError(reply, fault.status, fault.message);
    expect(reply.sessionCookie, 'a refused request must not start a session').toBeUndefined();
    for (const secret of secrets) expect(reply.text, 'an error body must not echo a secret').not.toContain(secret);
    await route.verifyUnchanged(valid);
  });
});

describe('field contents', () => {
  it('refuses an email without an @ and a password over 1024 characters, naming the field', async () => {
    expectClientError(await call('POST', '/users', { body: { form: { email: 'nobody', password: 'pw' } } }), 400, /^email must be an email address$/);
    const email = newEmail('long');
    const long = await call('POST', '/users', { body: { form: { email, password: 'p'.repeat(1025) } } });
    expectClientError(long, 400, /^password must be at most 1024 characters$/);
    expect(long.text).not.toContain('p'.repeat(100));
    await register(email, 'p'.repeat(1024));
    await logIn(email, 'p'.repeat(1024));
  });

  it('carries passwords with form metacharacters and non-ASCII through form and JSON alike', async () => {
    const email = newEmail('chars');
    const password = 'p&ss=wörd +%20 ✓ "quoted"';
    await register(email, password);
    const viaJson = await call('POST', '/sessions', { body: { json: { email, password } } });
    expect(viaJson.status).toBe(200);
    // A near miss (the '+' decoded as a space) must not pass.
    const nearMiss = await call('POST', '/sessions', { body: { form: { email, password: password.replace('+', ' ') } } });
    expect(nearMiss.status).toBe(401);
  });

  it('tells apart passwords that differ only after 72 bytes or after a NUL (bcrypt alone would not)', async () => {
    const email = newEmail('bcrypt-limits');
    const long = 'a'.repeat(72);
    await register(email, `${long}-one`);
    expect((await call('POST', '/sessions', { body: { form: { email, password: `${long}-two` } } })).status).toBe(401);
    await logIn(email, `${long}-one`);

    const nul = newEmail('bcrypt-nul');
    await register(nul, 'abc\u0000def');
    expect((await call('POST', '/sessions', { body: { json: { email: nul, password: 'abc\u0000xyz' } } })).status).toBe(401);
    expect((await call('POST', '/sessions', { body: { json: { email: nul, password: 'abc' } } })).status).toBe(401);
    await logIn(nul, 'abc\u0000def');
  });

  it('refuses a chunked body (no Content-Length) over the limit with 413', async () => {
    const email = newEmail('chunked');
    const payload = new TextEncoder().encode(new URLSearchParams({ email, password: 'x'.repeat(64 * 1024) }).toString());
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let offset = 0; offset < payload.length; offset += 4096) controller.enqueue(payload.slice(offset, offset + 4096));
        controller.close();
      },
    });
    const response = await fetch(`${server.url}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: stream,
      duplex: 'half',
    } as RequestInit & { duplex: 'half' });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ message: 'body is too large' });
    await register(email, 'pw');
  });

  it('holds the 16 KiB limit on every route, known or not: an unknown route refuses a 1 MiB body with 413 instead of reading it', async () => {
    // The types Fastify parses at the root; any other type has no parser outside the API's scope and is never read.
    for (const [type, body] of [
      ['application/json', JSON.stringify({ junk: 'x'.repeat(1024 * 1024) })],
      ['text/plain', 'x'.repeat(1024 * 1024)],
    ] as const) {
      const response = await fetch(`${server.url}/no-such-route`, { method: 'POST', headers: { 'content-type': type }, body });
      expect(response.status, type).toBe(413);
      expect(response.headers.get('sesame-error'), type).toBe('request.body_too_large');
      expect(response.headers.get('x-content-type-options'), type).toBe('nosniff');
      expect(await response.json(), type).toEqual({ message: 'body is too large' });
    }
    const small = await fetch(`${server.url}/no-such-route`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(small.status).toBe(404);
  });

  it('ignores extra fields', async () => {
    const email = newEmail('extra');
    const reply = await call('POST', '/users', { body: { form: { email, password: 'pw', admin: 'true' } } });
    expect(reply.json).toEqual({ email, message: 'user created' });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// JSON bodies, email echo, sessions.

describe('JSON bodies work like forms on every route', () => {
  it('runs register, login, profile, reset and update with application/json', async () => {
    const email = newEmail('json');
    expect((await call('POST', '/users', { body: { json: { email, password: 'one' } } })).json).toEqual({ email, message: 'user created' });
    expect((await call('POST', '/users', { body: { json: { email, password: 'one' } } })).json).toEqual({ message: 'email already registered' });
    expect((await call('POST', '/sessions', { body: { json: { email, password: 'bad' } } })).status).toBe(401);
    const login = await call('POST', '/sessions', { body: { json: { email, password: 'one' } } });
    expect(login.json).toEqual({ email, message: 'logged in' });
    expect(await profileStatus(login.sessionCookie ?? '')).toBe(200);
    const reset = await call('POST', '/reset_password', { body: { json: { email } } });
    expect(reset.status).toBe(200);
    const token = (reset.json as { reset_token: string }).reset_token;
    expect(reset.json).toEqual({ email, reset_token: token });
    const update = await call('PUT', '/reset_password', { body: { json: { email, reset_token: token, new_password: 'two' } } });
    expect(update.json).toEqual({ email, message: 'Password updated' });
    expect((await call('POST', '/sessions', { body: { json: { email, password: 'two' } } })).status).toBe(200);
  });

  it('accepts JSON with a charset parameter and forms with one', async () => {
    const email = newEmail('charset');
    const json = await call('POST', '/users', { body: { raw: JSON.stringify({ email, password: 'pw' }), type: 'application/json; charset=utf-8' } });
    expect(json.status, json.text).toBe(200);
    const form = await call('POST', '/sessions', {
      body: { raw: new URLSearchParams({ email, password: 'pw' }).toString(), type: 'application/x-www-form-urlencoded; charset=UTF-8' },
    });
    expect(form.status, form.text).toBe(200);
  });
});

describe('emails', () => {
  it('echoes the email exactly as sent, while matching accounts case- and space-insensitively', async () => {
    const local = `bob-${randomUUID().slice(0, 8)}`;
    const sent = `  ${local[0]?.toUpperCase() ?? ''}${local.slice(1)}@X.io`;
    const created = await call('POST', '/users', { body: { form: { email: sent, password: 'pw' } } });
    expect(created.json).toEqual({ email: sent, message: 'user created' });

    const lower = `${local}@x.io`;
    const login = await call('POST', '/sessions', { body: { form: { email: lower, password: 'pw' } } });
    expect(login.json).toEqual({ email: lower, message: 'logged in' });

    const upper = `${local.toUpperCase()}@x.io`;
    expectClientError(await call('POST', '/users', { body: { form: { email: upper, password: 'other' } } }), 400, /^email already registered$/);
    const reset = await call('POST', '/reset_password', { body: { form: { email: upper } } });
    expect((reset.json as { email: string }).email).toBe(upper);
  });

  it('answers 401 for an unknown email and 403 for a reset of one', async () => {
    const email = newEmail('unknown');
    expectClientError(await call('POST', '/sessions', { body: { form: { email, password: 'pw' } } }), 401, /./);
    expectClientError(await call('POST', '/reset_password', { body: { form: { email } } }), 403, /./);
  });
});

describe('sessions', () => {
  it('keeps two devices logged in independently: logging out one leaves the other working', async () => {
    const email = newEmail('devices');
    await register(email, 'pw');
    const laptop = await logIn(email, 'pw');
    const phone = await logIn(email, 'pw');
    expect(laptop).not.toBe(phone);
    expect((await call('GET', '/profile', { sessionId: laptop })).json).toEqual({ email });
    expect((await call('GET', '/profile', { sessionId: phone })).json).toEqual({ email });

    expect((await call('DELETE', '/sessions', { sessionId: laptop })).status).toBe(302);
    expect(await profileStatus(laptop)).toBe(403);
    expect(await profileStatus(phone)).toBe(200);
    // The ended session cannot be ended twice.
    expect((await call('DELETE', '/sessions', { sessionId: laptop })).status).toBe(403);
  });

  it('logs out with exactly 302 to / and a Set-Cookie that clears session_id', async () => {
    const email = newEmail('logout');
    await register(email, 'pw');
    const sessionId = await logIn(email, 'pw');
    const reply = await call('DELETE', '/sessions', { sessionId });
    expect(reply.status).toBe(302);
    expect(reply.headers.get('location')).toBe('/');
    const cleared = reply.headers.getSetCookie().find((line) => line.startsWith('session_id='));
    expect(cleared).toBeDefined();
    expect(cleared).toMatch(/^session_id=;/);
    const maxAgeZero = /;\s*Max-Age=0(;|$)/i.test(cleared ?? '');
    const expires = /;\s*Expires=([^;]+)/i.exec(cleared ?? '')?.[1];
    const expiresInPast = expires !== undefined && Date.parse(expires) < Date.now();
    expect(maxAgeZero || expiresInPast, `cookie must be expired: ${cleared ?? ''}`).toBe(true);
    expect(cleared).toMatch(/;\s*Path=\/(;|$)/i);

    const home = await fetch(new URL(reply.headers.get('location') ?? '', server.url));
    expect(home.status).toBe(200);
    expect(await home.json()).toEqual({ message: 'Bienvenue' });
  });

  it('answers 403 JSON to DELETE /sessions without a cookie, with an unknown one, and with an empty or garbled one', async () => {
    expectClientError(await call('DELETE', '/sessions'), 403, /./);
    expectClientError(await call('DELETE', '/sessions', { sessionId: randomUUID() }), 403, /./);
    expectClientError(await call('DELETE', '/sessions', { sessionId: '' }), 403, /./);
    expectClientError(await call('DELETE', '/sessions', { headers: { cookie: 'session_id=%E0%A4%A' } }), 403, /./);
    expectClientError(await call('GET', '/profile', { headers: { cookie: 'session_id=%E0%A4%A' } }), 403, /./);
    expectClientError(await call('GET', '/profile', { sessionId: 'x'.repeat(4000) }), 403, /./);
  });

  it('sets the login cookie HttpOnly, SameSite=Lax, Path=/ and Max-Age = SESSION_TTL, without Secure by default', async () => {
    const email = newEmail('cookie');
    await register(email, 'pw');
    const reply = await call('POST', '/sessions', { body: { form: { email, password: 'pw' } } });
    const line = reply.headers.getSetCookie().find((cookie) => cookie.startsWith('session_id=')) ?? '';
    const attributes = line.split(';').slice(1).map((part) => part.trim().toLowerCase());
    expect(attributes).toContain('httponly');
    expect(attributes).toContain('samesite=lax');
    expect(attributes).toContain('path=/');
    expect(attributes).toContain(`max-age=${SESSION_TTL_SECONDS}`);
    expect(attributes).not.toContain('secure');
    expect(reply.sessionCookie).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends Cache-Control: no-store on login, profile and reset responses', async () => {
    const email = newEmail('cache');
    await register(email, 'pw');
    const login = await call('POST', '/sessions', { body: { form: { email, password: 'pw' } } });
    const profile = await call('GET', '/profile', { sessionId: login.sessionCookie ?? '' });
    const reset = await call('POST', '/reset_password', { body: { form: { email } } });
    const token = (reset.json as { reset_token: string }).reset_token;
    const update = await call('PUT', '/reset_password', { body: { form: { email, reset_token: token, new_password: 'pw2' } } });
    const refused = await call('GET', '/profile');
    for (const reply of [login, profile, reset, update, refused]) {
      expect(reply.headers.get('cache-control')).toBe('no-store');
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Reset tokens and races.

describe('reset tokens', () => {
  it('refuses a wrong token, a token for another email and a spent token with 403', async () => {
    const alice = newEmail('alice');
    const bob = newEmail('bob');
    await register(alice, 'alice-pw');
    await register(bob, 'bob-pw');
    const aliceToken = await resetToken(alice);

    const put = (email: string, token: string, password: string) =>
      call('PUT', '/reset_password', { body: { form: { email, reset_token: token, new_password: password } } });
    expectClientError(await put(alice, randomUUID(), 'x'), 403, /./);
    // Alice's token does not reset Bob's password, nor (being refused) get spent on him.
    const crossed = await put(bob, aliceToken, 'stolen');
    expectClientError(crossed, 403, /./);
    expect(crossed.text).not.toContain(aliceToken);
    await logIn(bob, 'bob-pw');

    expect((await put(alice, aliceToken, 'alice-new')).status).toBe(200);
    expectClientError(await put(alice, aliceToken, 'again'), 403, /./);
    await logIn(alice, 'alice-new');
    expect((await call('POST', '/sessions', { body: { form: { email: alice, password: 'again' } } })).status).toBe(401);
  });

  it('keeps an earlier token live when a new one is issued, and a reset with one spends both', async () => {
    const email = newEmail('reissue');
    await register(email, 'pw');
    const first = await resetToken(email);
    const second = await resetToken(email);
    expect(first).not.toBe(second);
    const put = (token: string) => call('PUT', '/reset_password', { body: { form: { email, reset_token: token, new_password: 'n' } } });
    expect((await put(first)).status).toBe(200);
    expect((await put(second)).status).toBe(403);
    expect((await put(first)).status).toBe(403);
  });

  it('ends every session of the user on a successful reset', async () => {
    const email = newEmail('reset-all');
    await register(email, 'pw');
    const laptop = await logIn(email, 'pw');
    const phone = await logIn(email, 'pw');
    const token = await resetToken(email);
    // Asking for a token alone ends nothing.
    expect(await profileStatus(laptop)).toBe(200);
    const update = await call('PUT', '/reset_password', { body: { form: { email, reset_token: token, new_password: 'new' } } });
    expect(update.status).toBe(200);
    expect(await profileStatus(laptop)).toBe(403);
    expect(await profileStatus(phone)).toBe(403);
    expect(await profileStatus(await logIn(email, 'new'))).toBe(200);
  });
});

describe('races', () => {
  it('lets exactly one of 8 concurrent registrations of one email succeed', async () => {
    const email = newEmail('race');
    const replies = await Promise.all(
      Array.from({ length: 8 }, (_, i) => call('POST', '/users', { body: { form: { email, password: `pw-${i}` } } })),
    );
    const statuses = replies.map((reply) => reply.status).sort();
    expect(statuses).toEqual([200, 400, 400, 400, 400, 400, 400, 400]);
    for (const reply of replies.filter((r) => r.status === 400)) expect(reply.json).toEqual({ message: 'email already registered' });
    // The winner's password is the account's password.
    const winner = replies.findIndex((reply) => reply.status === 200);
    await logIn(email, `pw-${winner}`);
  });

  it('lets exactly one of 4 concurrent PUTs spend one reset token', async () => {
    const email = newEmail('double-spend');
    await register(email, 'pw');
    const token = await resetToken(email);
    const replies = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        call('PUT', '/reset_password', { body: { form: { email, reset_token: token, new_password: `new-${i}` } } }),
      ),
    );
    expect(replies.map((reply) => reply.status).sort()).toEqual([200, 403, 403, 403]);
    const winner = replies.findIndex((reply) => reply.status === 200);
    await logIn(email, `new-${winner}`);
  });
});

describe('hostile input', () => {
  it('refuses deeply nested JSON with a 400, not a crash', async () => {
    const reply = await call('POST', '/users', { body: { raw: `${'['.repeat(5000)}${']'.repeat(5000)}`, type: 'application/json' } });
    expectClientError(reply, 400, /^body must be a form or JSON object$/);
  });

  it('refuses JSON prototype poisoning and leaves Object.prototype untouched', async () => {
    const email = newEmail('poison');
    const poisoned = `{"email": ${JSON.stringify(email)}, "password": "pw", "constructor": {"prototype": {"sesamePolluted": true}}}`;
    expectClientError(await call('POST', '/users', { body: { raw: poisoned, type: 'application/json' } }), 400, /^body is not valid JSON$/);
    const form = await call('POST', '/users', { body: { raw: `__proto__%5BsesamePolluted%5D=1&__proto__=x&email=${encodeURIComponent(email)}&password=pw`, type: 'application/x-www-form-urlencoded' } });
    expect(form.status).toBeLessThan(500);
    // The app runs in this process, so a polluted prototype would show here.
    expect(Object.prototype).not.toHaveProperty('sesamePolluted');
    expect(({} as Record<string, unknown>)['sesamePolluted']).toBeUndefined();
  });

  it('answers malformed percent-encoding in a form without a 5xx', async () => {
    const reply = await call('POST', '/sessions', { body: { raw: 'email=%E0%A4%A@x.io&password=%ZZ%', type: 'application/x-www-form-urlencoded' } });
    expect(reply.status).toBeGreaterThanOrEqual(400);
    expect(reply.status).toBeLessThan(500);
  });

  it('answers HEAD /profile without a session with 403', async () => {
    expect((await call('HEAD', '/profile')).status).toBe(403);
  });
});

describe('other routes', () => {
  it('answers GET / with Bienvenue', async () => {
    const reply = await call('GET', '/');
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ message: 'Bienvenue' });
  });

  it('answers an unknown route or method with 404 JSON', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['GET', '/users'],
      ['POST', '/profile'],
      ['PATCH', '/reset_password'],
    ] as const) {
      const reply = await call(method, path);
      expectClientError(reply, 404, /./);
    }
  });
});
