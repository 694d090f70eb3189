/**
 * No secret reaches a log or the database: the whole seed flow runs over real HTTP at LOG_LEVEL=debug with the log
 * captured, sending cookies and JSON bodies that hold passwords, and then neither the log text nor any table (nor
 * the raw database files) may contain a password, a raw session id or a raw reset token.
 * @module
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, sleep } from '../../support/http.js';
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
  return readdirSync(dir)
    .map((file) => readFileSync(join(dir, file)).toString('latin1'))
    .join('\n');
}

/** Asserts none of the secrets occurs in the text, naming the one that does. */
function expectNoSecret(text: string, secrets: Record<string, string>, where: string): void {
  for (const [name, value] of Object.entries(secrets)) {
    expect(value.length, name).toBeGreaterThan(4);
    expect(text.includes(value), `${name} (${value}) appears in ${where}`).toBe(false);
  }
}

describe('the seed flow at LOG_LEVEL=debug', () => {
  let service: Service;
  const secrets: Record<string, string> = { password: PASSWORD, 'wrong password': WRONG, 'new password': NEW_PASSWORD };
  let finalSessionId = '';

  beforeAll(async () => {
    service = await startService({ LOG_LEVEL: 'debug' });
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

  it('logs structured request lines at debug level', () => {
    const lines = service.logs().trim().split('\n');
    expect(lines.length).toBeGreaterThan(20);
    const entries = lines.map((line) => JSON.parse(line) as { msg?: string; level?: number; req?: { url?: string } });
    expect(entries.filter((e) => e.msg === 'incoming request').length).toBeGreaterThanOrEqual(12);
    expect(entries.filter((e) => e.msg === 'request completed').length).toBeGreaterThanOrEqual(12);
    expect(entries.some((e) => e.req?.url === '/reset_password')).toBe(true);
    expect(service.app.log.level).toBe('debug');
  });

  it('never logs a password, a session id or a reset token', () => {
    expectNoSecret(service.logs(), secrets, 'the log');
  });

  it('stores no raw secret in any table or database file, only hashes', () => {
    const path = service.databasePath ?? '';
    const { text, tables } = dumpDatabase(path);
    expect(tables).toEqual(expect.arrayContaining(['users', 'sessions']));
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

  it('is logged as an error without the token it carried, and the client sees the usual answer', async () => {
    expect((await send(service.url, 'POST', '/users', { form: { email: EMAIL, password: PASSWORD } })).status).toBe(200);
    const reply = await send(service.url, 'POST', '/reset_password', { form: { email: EMAIL } });
    // Delivery runs after the answer (so a mailer outage reveals no account): wait for its error line.
    const deadline = Date.now() + 3000;
    while (!service.logs().includes('reset webhook answered 500') && Date.now() < deadline) await sleep(10);
    const token = (webhook.deliveries[0]?.body as { reset_token?: string } | undefined)?.reset_token ?? '';
    expect(token).toMatch(/^[0-9a-f-]{36}$/);
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ email: EMAIL, message: 'if this email is registered, reset instructions have been sent' });
    expect(reply.text).not.toContain(token);
    const errors = service
      .logs()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { level: number; msg?: string; err?: { message?: string } })
      .filter((entry) => entry.level >= 50);
    expect(errors.map((e) => e.err?.message)).toContain('reset webhook answered 500');
    expectNoSecret(service.logs(), { token, password: PASSWORD }, 'the log');
  });
});
