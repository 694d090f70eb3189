/**
 * No secret reaches a log or the database: the whole seed flow runs over real HTTP at every level production allows,
 * with hostile requests (malformed JSON and forms, secrets in query strings, requests Node's parser refuses) carrying
 * cookies and passwords, and then neither the log nor any table (nor the raw database files) may contain a password,
 * a raw session id or a raw reset token in any representation: text, escaped, encoded, base64, hex or byte lists.
 * @module
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from '../../support/http.js';
import { waitUntil } from '../../support/ops-doubles.js';
import { startService, type Service } from '../../support/in-process.js';
import { startWebhookRecorder, type WebhookRecorder } from '../../support/webhook.js';

const EMAIL = 'log-check@sec.example';
const PASSWORD = 'b4l0u-first-Secret';
const WRONG = 'wr0ng-Guess-Secret';
const NEW_PASSWORD = 't4rt1fl3tt3-next-Secret';

/** Every row of every table in the SQLite file, as JSON text, read through a separate read-only connection. */
function dumpDatabase(path: string): { text: string; tables: string[] } {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
      .all()
      .map((row) => (row as { name: string }).name);
    const dump = tables.map((table) => ({ table, rows: db.prepare(`SELECT * FROM "${table}"`).all() }));
    return { text: JSON.stringify(dump), tables };
  } finally {
    db.close();
  }
}

/** The raw bytes of the database file and its WAL/SHM companions, as latin1 text (a byte-for-byte search). */
function rawDatabaseBytes(path: string): string {
  const dir = dirname(path);
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => readFileSync(join(dir, entry.name)).toString('latin1'))
    .join('\n');
}

/**
 * Every form a secret can take in a log line or a file: as typed, JSON-escaped, percent-encoded (form bodies),
 * base64 and base64url, hex in either case, and as the byte list a logged Buffer or Uint8Array becomes in JSON
 * (`[98,52,...]`, with or without spaces). A secret found in any of them is a leak.
 */
function representations(value: string): Record<string, string> {
  const bytes = Buffer.from(value, 'utf8');
  return {
    text: value,
    'JSON-escaped': JSON.stringify(value).slice(1, -1),
    'percent-encoded': encodeURIComponent(value),
    'form-encoded': new URLSearchParams({ x: value }).toString().slice(2),
    base64: bytes.toString('base64').replace(/=+$/, ''),
    base64url: bytes.toString('base64url'),
    hex: bytes.toString('hex'),
    HEX: bytes.toString('hex').toUpperCase(),
    'byte list': [...bytes].join(','),
    'byte list with spaces': [...bytes].join(', '),
  };
}

/** Asserts none of the secrets occurs in the text in any representation, naming the one that does. */
function expectNoSecret(text: string, secrets: Record<string, string>, where: string): void {
  for (const [name, value] of Object.entries(secrets)) {
    expect(value.length, name).toBeGreaterThan(4);
    for (const [form, encoded] of Object.entries(representations(value))) {
      expect(text.includes(encoded), `${name} (${value}) appears ${form} in ${where}`).toBe(false);
    }
  }
}

/** Sends raw bytes on a fresh connection and resolves when the server closes it (for requests Node cannot parse). */
function rawExchange(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(bytes));
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
  });
}

/** The levels production allows (it refuses trace); debug is the most verbose. */
const LEVELS = ['debug', 'info', 'warn', 'error', 'fatal'] as const;

describe.each(LEVELS)('the seed flow and hostile requests at LOG_LEVEL=%s', (level) => {
  let service: Service;
  const secrets: Record<string, string> = { password: PASSWORD, 'wrong password': WRONG, 'new password': NEW_PASSWORD };
  let finalSessionId = '';

  beforeAll(async () => {
    service = await startService({ LOG_LEVEL: level });
    const url = service.url;
    // Form bodies (what seed clients send) and JSON bodies, cookies on every request.
    expect((await send(url, 'POST', '/users', { json: { email: EMAIL, password: PASSWORD } })).status).toBe(200);
    expect((await send(url, 'POST', '/sessions', { form: { email: EMAIL, password: WRONG } })).status).toBe(401);
    const login = await send(url, 'POST', '/sessions', { json: { email: EMAIL, password: PASSWORD } });
    expect(login.status).toBe(200);
    const sessionId = login.sessionId ?? '';
    secrets['session id'] = sessionId;
    expect((await send(url, 'GET', '/profile')).status).toBe(403);
    expect((await send(url, 'GET', '/profile', { sessionId })).status).toBe(200);
    // A malformed JSON body holding the password: the parser's error must not quote it into a log.
    const broken = await fetch(`${url}/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `session_id=${sessionId}` },
      body: `{"email": "${EMAIL}", "password": "${PASSWORD}"`,
    });
    expect(broken.status).toBe(400);
    expect(await broken.text()).not.toContain(PASSWORD);
    // Secrets in a query string, and in a form whose encoding is refused.
    expect((await send(url, 'GET', `/profile?session_id=${sessionId}&password=${encodeURIComponent(PASSWORD)}`, { sessionId })).status).toBe(200);
    const badForm = await fetch(`${url}/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `session_id=${sessionId}` },
      body: `email=${encodeURIComponent(EMAIL)}&password=${encodeURIComponent(PASSWORD)}%ZZ`,
    });
    expect(badForm.status).toBe(400);
    // Requests Node's parser refuses, carrying the cookie and the password: Node keeps their raw bytes on the error.
    const body = JSON.stringify({ email: EMAIL, password: PASSWORD });
    const badHeader = await rawExchange(
      url,
      `POST /sessions HTTP/1.1\r\nHost: x\r\nCookie: session_id=${sessionId}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nX-Bad\u0001: y\r\n\r\n${body}`,
    );
    expect(badHeader.split('\r\n')[0]).toBe('HTTP/1.1 400 BAD REQUEST');
    const badLine = await rawExchange(url, `POST /sessions?password=${encodeURIComponent(PASSWORD)} HTTP/9.9 ${sessionId}\r\n\r\n`);
    expect(badLine.split('\r\n')[0]).toBe('HTTP/1.1 400 BAD REQUEST');
    expect((await send(url, 'DELETE', '/sessions', { sessionId })).status).toBe(302);
    const second = await send(url, 'POST', '/sessions', { form: { email: EMAIL, password: PASSWORD } });
    secrets['second session id'] = second.sessionId ?? '';
    const reset = await send(url, 'POST', '/reset_password', { form: { email: EMAIL }, sessionId: second.sessionId ?? '' });
    const token = String((reset.json as { reset_token?: unknown }).reset_token);
    secrets['reset token'] = token;
    const update = await send(url, 'PUT', '/reset_password', {
      json: { email: EMAIL, reset_token: token, new_password: NEW_PASSWORD },
      sessionId: second.sessionId ?? '',
    });
    expect(update.status).toBe(200);
    const last = await send(url, 'POST', '/sessions', { form: { email: EMAIL, password: NEW_PASSWORD } });
    expect(last.status).toBe(200);
    finalSessionId = last.sessionId ?? '';
    secrets['final session id'] = finalSessionId;
    expect((await send(url, 'GET', '/profile', { sessionId: finalSessionId })).status).toBe(200);
  });
  afterAll(() => service.stop());

  it('logs at this level and above, structured', () => {
    const lines = service.logs().trim().split('\n').filter((line) => line !== '');
    // Every line is one JSON object (pino encodes every value; nothing is concatenated), hostile input included, and
    // its time is epoch milliseconds, which is UTC.
    const entries = lines.map((line) => JSON.parse(line) as { msg?: string; level?: number; time?: number; req?: { url?: string }; event?: string });
    for (const entry of entries) expect(Math.abs((entry.time ?? 0) - Date.now())).toBeLessThan(600_000);
    expect(service.app.log.level).toBe(level);
    const floor = { debug: 20, info: 30, warn: 40, error: 50, fatal: 60 }[level];
    for (const entry of entries) expect(entry.level ?? 0).toBeGreaterThanOrEqual(floor);
    if (level === 'debug' || level === 'info') {
      expect(entries.filter((e) => e.msg === 'incoming request').length).toBeGreaterThanOrEqual(12);
      expect(entries.some((e) => e.req?.url === '/reset_password')).toBe(true);
      expect(entries.some((e) => e.event === 'login.failed')).toBe(true);
    }
    if (level === 'debug') expect(entries.some((e) => e.msg === 'client error')).toBe(true);
  });

  it('never logs a password, a session id or a reset token, in any representation, nor the email itself', () => {
    expectNoSecret(service.logs(), secrets, 'the log');
    expectNoSecret(service.logs(), { email: EMAIL }, 'the log');
  });

  it('stores no raw secret in any table or database file, only hashes', () => {
    const path = service.databasePath ?? '';
    const { text, tables } = dumpDatabase(path);
    expect(tables).toEqual(expect.arrayContaining(['users', 'sessions', 'verification_tokens', 'auth_events']));
    // We are looking at the right database: the live session's SHA-256 is there.
    expect(text).toContain(createHash('sha256').update(finalSessionId).digest('hex'));
    expect(text).toContain(EMAIL);
    expectNoSecret(text, secrets, 'a table');
    expectNoSecret(rawDatabaseBytes(path), secrets, 'the database files');
  });
});

describe('a failing reset webhook', () => {
  let webhook: WebhookRecorder;
  let service: Service;
  beforeAll(async () => {
    webhook = await startWebhookRecorder(500);
    service = await startService({
      LOG_LEVEL: 'debug',
      RESET_TOKEN_DELIVERY: 'webhook',
      RESET_WEBHOOK_URL: webhook.url,
    });
  });
  afterAll(async () => {
    await service.stop();
    await webhook.close();
  });

  it('is logged as a failed try (retried by the outbox) without the token it carried, and the client sees the usual answer', async () => {
    expect((await send(service.url, 'POST', '/users', { form: { email: EMAIL, password: PASSWORD } })).status).toBe(200);
    const reply = await send(service.url, 'POST', '/reset_password', { form: { email: EMAIL } });
    // Delivery runs after the answer (so a mailer outage reveals no account): wait for its error line (at most 60 s).
    await waitUntil(() => service.logs().includes('webhook answered 500'), 'the failed delivery to be logged');
    const token = (webhook.deliveries[0]?.body as { reset_token?: string } | undefined)?.reset_token ?? '';
    expect(token).toMatch(/^[0-9a-f-]{36}$/);
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ email: EMAIL, message: 'if this email is registered, reset instructions have been sent' });
    expect(reply.text).not.toContain(token);
    const errors = service
      .logs()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { level: number; msg?: string; reason?: string; kind?: string })
      .filter((entry) => entry.level >= 40 && entry.msg === 'mail delivery failed: will try again');
    expect(errors.map((e) => [e.kind, e.reason])).toContainEqual(['password_reset', 'webhook answered 500']);
    expectNoSecret(service.logs(), { token, password: PASSWORD }, 'the log');
  });
});
