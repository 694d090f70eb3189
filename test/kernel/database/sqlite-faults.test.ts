// SQLite faults, provoked for real on the service's own file (as root a chmod changes nothing): a full disk
// (`PRAGMA max_page_count`), a read-only database (`PRAGMA query_only`) and another process holding the write lock past
// the busy timeout (`BEGIN IMMEDIATE` on a second connection). Each answers 503 with Retry-After and a code, changes
// nothing, and heals by itself once the fault is gone. And transactions take the write lock when they begin, so a
// second process never meets SQLITE_BUSY halfway through one.
import SqliteDatabase from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { sqliteEngine, useFreshStorage } from '../../support/engines.js';
import { send, uniqueEmail, type Reply } from '../../support/http.js';
import { startService, type Service } from '../../support/in-process.js';

let service: Service | undefined;
afterEach(async () => {
  await service?.stop();
  service = undefined;
});

/** The service's own better-sqlite3 handle, to set a pragma the way a full disk or a read-only mount would act. */
function handleOf(running: Service): SqliteDatabase.Database {
  const client = running.sesame.storage.client;
  if (client.engine !== 'sqlite') throw new Error('these tests run on SQLite');
  return client.database;
}

function expectUnavailable(reply: Reply, what: string): void {
  expect(reply.status, `${what}: ${reply.text}`).toBe(503);
  expect(reply.headers['sesame-error'], what).toBe('database.unavailable');
  expect(reply.headers['retry-after'], what).toBe('5');
  expect(reply.json, what).toEqual({ message: 'the service cannot reach its database right now: try again in a few seconds' });
}

async function userCount(running: Service): Promise<number> {
  const row = await running.sesame.storage.kysely.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('SQLite faults', () => {
  it('a full disk (SQLITE_FULL) answers 503 and creates nothing; freeing space heals it', async () => {
    service = await startService({ LOG_LEVEL: 'warn' });
    const db = handleOf(service);
    db.pragma(`max_page_count = ${Number(db.pragma('page_count', { simple: true }))}`);
    // Register until a new row needs a page the file may not grow to; that request is refused and creates nothing.
    let refused = false;
    for (let i = 0; i < 40 && !refused; i += 1) {
      const before = await userCount(service);
      // Padded in the domain (two 60-letter labels): a local part may be at most 64 characters.
      const padded = uniqueEmail(`full-${i}`).replace('@', `@${'x'.repeat(60)}.${'y'.repeat(60)}.`);
      const reply = await send(service.url, 'POST', '/users', { form: { email: padded, password: 'pw' } });
      if (reply.status === 200) continue;
      expectUnavailable(reply, 'POST /users on a full file');
      expect(await userCount(service)).toBe(before);
      refused = true;
    }
    expect(refused, 'the file never filled').toBe(true);

    db.pragma('max_page_count = 1073741823');
    const email = uniqueEmail('after-full');
    expect((await send(service.url, 'POST', '/users', { form: { email, password: 'pw' } })).status).toBe(200);
    expect((await send(service.url, 'POST', '/sessions', { form: { email, password: 'pw' } })).status).toBe(200);
    expect(service.logs()).toMatch(/database unavailable: answered 503/);
    expect(service.logs()).not.toMatch(/"statusCode":500/);
  });

  it('a read-only database (SQLITE_READONLY) refuses writes with 503 and still serves reads; writable again heals it', async () => {
    service = await startService({ LOG_LEVEL: 'warn' });
    const email = uniqueEmail('readonly');
    expect((await send(service.url, 'POST', '/users', { form: { email, password: 'pw' } })).status).toBe(200);
    const login = await send(service.url, 'POST', '/sessions', { form: { email, password: 'pw' } });
    const db = handleOf(service);
    const before = await userCount(service);

    db.pragma('query_only = 1');
    expectUnavailable(await send(service.url, 'POST', '/users', { form: { email: uniqueEmail('readonly-new'), password: 'pw' } }), 'POST /users');
    expectUnavailable(await send(service.url, 'POST', '/sessions', { form: { email, password: 'pw' } }), 'POST /sessions');
    const profile = await send(service.url, 'GET', '/profile', { sessionId: login.sessionId ?? '' });
    expect(profile.status).toBe(200);
    expect(profile.json).toEqual({ email });
    expect(await userCount(service)).toBe(before);

    db.pragma('query_only = 0');
    expect((await send(service.url, 'POST', '/sessions', { form: { email, password: 'pw' } })).status).toBe(200);
  });

  it('another process holding the write lock past DATABASE_BUSY_TIMEOUT gets 503; once it lets go, writes succeed', async () => {
    service = await startService({ LOG_LEVEL: 'warn', DATABASE_BUSY_TIMEOUT: '200ms' });
    const other = new SqliteDatabase(service.databasePath ?? '');
    try {
      other.exec('BEGIN IMMEDIATE');
      const email = uniqueEmail('busy');
      expectUnavailable(await send(service.url, 'POST', '/users', { form: { email, password: 'pw' } }), 'POST /users while locked');
      other.exec('COMMIT');
      expect((await send(service.url, 'POST', '/users', { form: { email, password: 'pw' } })).status).toBe(200);
    } finally {
      other.close();
    }
  });
});

describe('SQLite transactions', () => {
  const storage = useFreshStorage(sqliteEngine);

  it('take the write lock when they begin (BEGIN IMMEDIATE), so another process waits at its start instead of failing halfway', async () => {
    const other = new SqliteDatabase(storage().url.slice('sqlite:'.length));
    other.pragma('busy_timeout = 0');
    try {
      let lockedDuringRead: boolean | undefined;
      await storage().kysely.transaction().execute(async (trx) => {
        await trx.selectFrom('users').select('id').execute();
        try {
          other.exec('BEGIN IMMEDIATE');
          other.exec('ROLLBACK');
          lockedDuringRead = false;
        } catch (error) {
          lockedDuringRead = (error as { code?: string }).code === 'SQLITE_BUSY';
        }
      });
      expect(lockedDuringRead).toBe(true);
      // And it lets go at commit.
      other.exec('BEGIN IMMEDIATE');
      other.exec('ROLLBACK');
    } finally {
      other.close();
    }
  });
});
