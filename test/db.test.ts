// The DB layer against real databases: every query of src/db/db.ts on SQLite (a temp file) and PostgreSQL (a schema).
import { createHash } from 'node:crypto';
import {
  CompiledQuery,
  sql,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import { describe, expect, it } from 'vitest';
import { DB, type UserFilter } from '../src/db/db.js';
import { NoResultFoundError, UnknownColumnError, UserAlreadyExistsError } from '../src/errors.js';
import type { User, UserChanges } from '../src/user/user.js';
import { describeEngines, useFreshStorage, type TestStorage } from './support/engines.js';

/** A fixed "now" far from the real clock, so expiry tests never depend on when they run. */
const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

/** SHA-256 hex of a string, the shape of every stored session id and reset token. */
function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Reads the users table directly, bypassing the DB class, to check what was really written. */
async function userRow(storage: TestStorage, id: number): Promise<User | undefined> {
  return storage.kysely.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Counts the session rows of a user (or all of them) directly in the table. */
async function sessionCount(storage: TestStorage, userId?: number): Promise<number> {
  let query = storage.kysely.selectFrom('sessions').select((eb) => eb.fn.countAll<number>().as('n'));
  if (userId !== undefined) query = query.where('user_id', '=', userId);
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Records every query a Kysely instance builds, so a test can EXPLAIN exactly the SQL the DB class sends. */
class QueryRecorder implements KyselyPlugin {
  readonly queries: PluginTransformQueryArgs[] = [];

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.queries.push(args);
    return args.node;
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

describeEngines('DB', (engine) => {
  const storage = useFreshStorage(engine);
  const db = (): DB => new DB(storage().kysely);

  describe('addUser', () => {
    it('returns the saved user with an assigned id, its fields and its times', async () => {
      const user = await db().addUser('a@x.io', 'hash-a', T0);
      expect(user).toEqual({
        id: expect.any(Number) as number,
        email: 'a@x.io',
        hashed_password: 'hash-a',
        reset_token: null,
        reset_token_expires_at: null,
        created_at: T0,
        updated_at: T0,
      });
      expect(Number.isInteger(user.id) && user.id > 0).toBe(true);
      expect(await userRow(storage(), user.id)).toEqual(user);
    });

    it('assigns distinct ids and defaults the times to the current clock', async () => {
      const before = Date.now();
      const a = await db().addUser('a@x.io', 'h');
      const b = await db().addUser('b@x.io', 'h');
      expect(b.id).not.toBe(a.id);
      expect(typeof a.created_at).toBe('number');
      expect(a.created_at).toBeGreaterThanOrEqual(before);
      expect(a.created_at).toBeLessThanOrEqual(Date.now());
      expect(a.updated_at).toBe(a.created_at);
    });

    it('rejects a taken email with UserAlreadyExistsError carrying the seed message', async () => {
      await db().addUser('dup@x.io', 'h1');
      const attempt = db().addUser('dup@x.io', 'h2');
      await expect(attempt).rejects.toBeInstanceOf(UserAlreadyExistsError);
      await expect(attempt).rejects.toThrow('User dup@x.io already exists');
      const rows = await storage().kysely.selectFrom('users').selectAll().execute();
      expect(rows.map((r) => r.hashed_password)).toEqual(['h1']);
    });

    it('lets exactly one of 8 concurrent registrations of one email win', async () => {
      const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => db().addUser('race@x.io', `h${i}`)));
      const fulfilled = results.filter((r) => r.status === 'fulfilled');
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(fulfilled).toHaveLength(1);
      expect(rejected).toHaveLength(7);
      for (const r of rejected) expect(r.reason).toBeInstanceOf(UserAlreadyExistsError);
      expect(await storage().kysely.selectFrom('users').selectAll().execute()).toHaveLength(1);
    });
  });

  describe('findUserBy', () => {
    it('finds a user by email, by id and by several columns at once', async () => {
      const a = await db().addUser('a@x.io', 'ha', T0);
      const b = await db().addUser('b@x.io', 'hb', T0);
      expect(await db().findUserBy({ email: 'b@x.io' })).toEqual(b);
      expect(await db().findUserBy({ id: a.id })).toEqual(a);
      expect(await db().findUserBy({ email: 'a@x.io', hashed_password: 'ha' })).toEqual(a);
      expect(await db().findUserBy({ reset_token: null, email: 'b@x.io' })).toEqual(b);
    });

    it('raises NoResultFoundError when nothing matches every column', async () => {
      const a = await db().addUser('a@x.io', 'ha');
      await expect(db().findUserBy({ email: 'nobody@x.io' })).rejects.toBeInstanceOf(NoResultFoundError);
      await expect(db().findUserBy({ id: a.id + 1000 })).rejects.toBeInstanceOf(NoResultFoundError);
      // Each column matches some row, but not the same row.
      await db().addUser('b@x.io', 'hb');
      await expect(db().findUserBy({ email: 'a@x.io', hashed_password: 'hb' })).rejects.toBeInstanceOf(NoResultFoundError);
    });

    it('raises UnknownColumnError (not NoResultFoundError) for an unknown column or an empty filter', async () => {
      await db().addUser('a@x.io', 'ha');
      const unknown = { email: 'a@x.io', no_such_column: 1 } as unknown as UserFilter;
      await expect(db().findUserBy(unknown)).rejects.toBeInstanceOf(UnknownColumnError);
      await expect(db().findUserBy({})).rejects.toBeInstanceOf(UnknownColumnError);
      await expect(db().findUserBy({ email: undefined })).rejects.toBeInstanceOf(UnknownColumnError);
    });

    it('does not treat SQL in a value as SQL', async () => {
      await db().addUser('a@x.io', 'ha');
      await expect(db().findUserBy({ email: "' OR '1'='1" })).rejects.toBeInstanceOf(NoResultFoundError);
    });
  });

  describe('updateUser', () => {
    it('changes the given columns and bumps updated_at', async () => {
      const user = await db().addUser('a@x.io', 'old', T0);
      const before = Date.now();
      await db().updateUser(user.id, { hashed_password: 'new', reset_token: 'tok' });
      const row = await userRow(storage(), user.id);
      expect(row).toMatchObject({ email: 'a@x.io', hashed_password: 'new', reset_token: 'tok', created_at: T0 });
      expect(row?.updated_at).toBeGreaterThanOrEqual(before);
    });

    it('raises UnknownColumnError for an unknown attribute without writing anything', async () => {
      const user = await db().addUser('a@x.io', 'old', T0);
      const changes = { hashed_password: 'new', bogus: 'x' } as unknown as UserChanges;
      await expect(db().updateUser(user.id, changes)).rejects.toBeInstanceOf(UnknownColumnError);
      expect(await userRow(storage(), user.id)).toEqual(user);
    });

    it('raises NoResultFoundError for a missing id', async () => {
      const user = await db().addUser('a@x.io', 'old', T0);
      await expect(db().updateUser(user.id + 1000, { hashed_password: 'new' })).rejects.toBeInstanceOf(NoResultFoundError);
      expect(await userRow(storage(), user.id)).toEqual(user);
    });

    it('maps a change to a taken email onto the unique index (the row is left as it was)', async () => {
      await db().addUser('a@x.io', 'ha', T0);
      const b = await db().addUser('b@x.io', 'hb', T0);
      await expect(db().updateUser(b.id, { email: 'a@x.io' })).rejects.toThrow();
      expect(await userRow(storage(), b.id)).toEqual(b);
    });
  });

  describe('sessions', () => {
    it('finds the user of a live session by its hash, and nothing for an unknown or expired one', async () => {
      const user = await db().addUser('a@x.io', 'h', T0);
      await db().addSession(sha256('live'), user.id, T0, T0 + HOUR);
      expect(await db().findUserBySessionHash(sha256('live'), T0)).toEqual({ ...user, session_last_used: T0 });
      expect(await db().findUserBySessionHash(sha256('unknown'), T0)).toBeUndefined();
      // expires_at is exclusive: at the instant of expiry the session is already dead.
      expect(await db().findUserBySessionHash(sha256('live'), T0 + HOUR - 1)).toEqual({ ...user, session_last_used: T0 });
      expect(await db().findUserBySessionHash(sha256('live'), T0 + HOUR)).toBeUndefined();
    });

    it('applies the idle cut-off to the last use (or the start, before any use), and touchSession records a use', async () => {
      const user = await db().addUser('a@x.io', 'h', T0);
      await db().addSession(sha256('s'), user.id, T0, T0 + HOUR);
      // Last use must be strictly after the cut-off.
      expect(await db().findUserBySessionHash(sha256('s'), T0 + 10, T0 - 1)).toEqual({ ...user, session_last_used: T0 });
      expect(await db().findUserBySessionHash(sha256('s'), T0 + 10, T0)).toBeUndefined();
      await db().touchSession(sha256('s'), T0 + 5);
      expect(await db().findUserBySessionHash(sha256('s'), T0 + 10, T0)).toEqual({ ...user, session_last_used: T0 + 5 });
      expect((await db().listUserSessions(user.id, T0 + 10, T0 + 5)).length).toBe(0);
      expect((await db().listUserSessions(user.id, T0 + 10, T0 + 4)).length).toBe(1);
    });

    it('keeps any number of sessions per user', async () => {
      const user = await db().addUser('a@x.io', 'h', T0);
      await db().addSession(sha256('s1'), user.id, T0, T0 + HOUR);
      await db().addSession(sha256('s2'), user.id, T0, T0 + HOUR);
      expect(await db().findUserBySessionHash(sha256('s1'), T0)).toEqual({ ...user, session_last_used: T0 });
      expect(await db().findUserBySessionHash(sha256('s2'), T0)).toEqual({ ...user, session_last_used: T0 });
      expect(await sessionCount(storage(), user.id)).toBe(2);
    });

    it('rejects a second session under the same hash (the hash is the primary key)', async () => {
      const user = await db().addUser('a@x.io', 'h', T0);
      await db().addSession(sha256('s'), user.id, T0, T0 + HOUR);
      await expect(db().addSession(sha256('s'), user.id, T0, T0 + 2 * HOUR)).rejects.toThrow();
      expect(await sessionCount(storage())).toBe(1);
    });

    it('deleteSession returns true only for a live session, and removes expired rows while reporting false', async () => {
      const user = await db().addUser('a@x.io', 'h', T0);
      await db().addSession(sha256('live'), user.id, T0, T0 + HOUR);
      await db().addSession(sha256('dead'), user.id, T0 - 2 * HOUR, T0 - HOUR);
      await db().addSession(sha256('other'), user.id, T0, T0 + HOUR);

      expect(await db().deleteSession(sha256('live'), T0)).toBe(true);
      expect(await db().deleteSession(sha256('live'), T0)).toBe(false);
      expect(await db().deleteSession(sha256('dead'), T0)).toBe(false);
      expect(await db().deleteSession(sha256('unknown'), T0)).toBe(false);

      const left = await storage().kysely.selectFrom('sessions').select('id_hash').execute();
      expect(left.map((r) => r.id_hash)).toEqual([sha256('other')]);
    });

    it('deleteUserSessions ends every session of that user only and returns the count', async () => {
      const a = await db().addUser('a@x.io', 'h', T0);
      const b = await db().addUser('b@x.io', 'h', T0);
      await db().addSession(sha256('a1'), a.id, T0, T0 + HOUR);
      await db().addSession(sha256('a2'), a.id, T0, T0 + HOUR);
      await db().addSession(sha256('b1'), b.id, T0, T0 + HOUR);

      expect(await db().deleteUserSessions(a.id)).toBe(2);
      expect(await db().deleteUserSessions(a.id)).toBe(0);
      expect(await db().findUserBySessionHash(sha256('a1'), T0)).toBeUndefined();
      expect(await db().findUserBySessionHash(sha256('b1'), T0)).toEqual({ ...b, session_last_used: T0 });
    });

    it('enforces the foreign key: no session for a missing user, and deleting a user ends its sessions', async () => {
      // DB has no deleteUser; the schema's guarantees are checked through the query builder.
      const a = await db().addUser('a@x.io', 'h', T0);
      const b = await db().addUser('b@x.io', 'h', T0);
      await expect(db().addSession(sha256('orphan'), a.id + b.id + 1000, T0, T0 + HOUR)).rejects.toThrow();
      await db().addSession(sha256('a1'), a.id, T0, T0 + HOUR);
      await db().addSession(sha256('b1'), b.id, T0, T0 + HOUR);

      await storage().kysely.deleteFrom('users').where('id', '=', a.id).execute();
      const left = await storage().kysely.selectFrom('sessions').select(['id_hash', 'user_id']).execute();
      expect(left).toEqual([{ id_hash: sha256('b1'), user_id: b.id }]);
    });

    it('looks a session up through the primary-key index, not a table scan', async () => {
      const user = await db().addUser('a@x.io', 'h', T0);
      // Enough rows, with fresh statistics, that a planner has no reason to prefer a scan.
      const rows = Array.from({ length: 2000 }, (_, i) => ({
        id_hash: sha256(`bulk-${i}`),
        user_id: user.id,
        created_at: T0,
        expires_at: T0 + HOUR,
      }));
      await storage().kysely.insertInto('sessions').values(rows).execute();
      await sql`ANALYZE`.execute(storage().kysely);

      const recorder = new QueryRecorder();
      const recorded = new DB(storage().kysely.withPlugin(recorder));
      expect(await recorded.findUserBySessionHash(sha256('bulk-7'), T0)).toEqual({ ...user, session_last_used: T0 });
      const last = recorder.queries.at(-1);
      if (last === undefined) throw new Error('no query was recorded');
      const compiled = storage().kysely.getExecutor().compileQuery(last.node, last.queryId);
      expect(compiled.sql).toMatch(/sessions/);

      if (storage().engine === 'sqlite') {
        const plan = await storage().kysely.executeQuery<{ detail: string }>(
          CompiledQuery.raw(`EXPLAIN QUERY PLAN ${compiled.sql}`, [...compiled.parameters]),
        );
        const details = plan.rows.map((r) => r.detail);
        expect(details.some((d) => /^SEARCH (sessions|"sessions") USING INDEX sqlite_autoindex_sessions_1 \(id_hash=\?/.test(d))).toBe(true);
        expect(details.some((d) => /SCAN (sessions|"sessions")/.test(d))).toBe(false);
      } else {
        const plan = await storage().kysely.executeQuery<{ 'QUERY PLAN': string }>(
          CompiledQuery.raw(`EXPLAIN ${compiled.sql}`, [...compiled.parameters]),
        );
        const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
        expect(text).toMatch(/Index (Only )?Scan using sessions_pkey on sessions/);
        expect(text).not.toMatch(/Seq Scan on sessions/);
      }
    });
  });

  describe('reset tokens', () => {
    it('findUserByResetToken finds the holder of a live token and honours expiry', async () => {
      const user = await db().addUser('a@x.io', 'h', T0);
      await db().updateUser(user.id, { reset_token: sha256('tok'), reset_token_expires_at: T0 + HOUR });
      const found = await db().findUserByResetToken(sha256('tok'), T0);
      expect(found?.id).toBe(user.id);
      expect(await db().findUserByResetToken(sha256('other'), T0)).toBeUndefined();
      expect(await db().findUserByResetToken(sha256('tok'), T0 + HOUR)).toBeUndefined();
    });

    it('spendResetToken sets the new hash, clears the token and the user\'s sessions, and works once only', async () => {
      const a = await db().addUser('a@x.io', 'old', T0);
      const b = await db().addUser('b@x.io', 'hb', T0);
      await db().updateUser(a.id, { reset_token: sha256('tok'), reset_token_expires_at: T0 + HOUR });
      await db().addSession(sha256('a1'), a.id, T0, T0 + HOUR);
      await db().addSession(sha256('a2'), a.id, T0, T0 + HOUR);
      await db().addSession(sha256('b1'), b.id, T0, T0 + HOUR);

      expect(await db().spendResetToken(a.id, sha256('tok'), 'new', T0 + 1)).toBe(true);
      expect(await userRow(storage(), a.id)).toMatchObject({
        hashed_password: 'new',
        reset_token: null,
        reset_token_expires_at: null,
        updated_at: T0 + 1,
      });
      expect(await sessionCount(storage(), a.id)).toBe(0);
      expect(await sessionCount(storage(), b.id)).toBe(1);

      expect(await db().spendResetToken(a.id, sha256('tok'), 'newer', T0 + 2)).toBe(false);
      expect((await userRow(storage(), a.id))?.hashed_password).toBe('new');
    });

    it('spendResetToken refuses an expired token, a wrong token or another user\'s token and changes nothing', async () => {
      const a = await db().addUser('a@x.io', 'old', T0);
      const b = await db().addUser('b@x.io', 'hb', T0);
      await db().updateUser(a.id, { reset_token: sha256('tok'), reset_token_expires_at: T0 + HOUR });
      await db().addSession(sha256('a1'), a.id, T0, T0 + 2 * HOUR);
      const before = await userRow(storage(), a.id);

      expect(await db().spendResetToken(a.id, sha256('tok'), 'new', T0 + HOUR)).toBe(false);
      expect(await db().spendResetToken(a.id, sha256('wrong'), 'new', T0)).toBe(false);
      expect(await db().spendResetToken(b.id, sha256('tok'), 'new', T0)).toBe(false);
      expect(await userRow(storage(), a.id)).toEqual(before);
      expect((await userRow(storage(), b.id))?.hashed_password).toBe('hb');
      expect(await sessionCount(storage(), a.id)).toBe(1);
    });

    it('lets only one of several concurrent spends of one token win', async () => {
      const a = await db().addUser('a@x.io', 'old', T0);
      await db().updateUser(a.id, { reset_token: sha256('tok'), reset_token_expires_at: T0 + HOUR });
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => db().spendResetToken(a.id, sha256('tok'), `new-${i}`, T0)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      expect((await userRow(storage(), a.id))?.hashed_password).toBe(`new-${winner}`);
    });
  });

  describe('purgeExpired', () => {
    it('removes expired sessions and clears expired reset tokens, leaving live ones', async () => {
      const a = await db().addUser('a@x.io', 'h', T0);
      const b = await db().addUser('b@x.io', 'h', T0);
      const c = await db().addUser('c@x.io', 'h', T0);
      await db().addSession(sha256('dead1'), a.id, T0 - 2 * HOUR, T0 - HOUR);
      await db().addSession(sha256('dead2'), b.id, T0 - 2 * HOUR, T0);
      await db().addSession(sha256('live'), a.id, T0, T0 + 1);
      await db().updateUser(a.id, { reset_token: sha256('dead-token'), reset_token_expires_at: T0 });
      await db().updateUser(b.id, { reset_token: sha256('live-token'), reset_token_expires_at: T0 + 1 });

      expect(await db().purgeExpired(T0)).toEqual({ sessions: 2, resetTokens: 1 });

      const left = await storage().kysely.selectFrom('sessions').select('id_hash').execute();
      expect(left.map((r) => r.id_hash)).toEqual([sha256('live')]);
      expect(await userRow(storage(), a.id)).toMatchObject({ reset_token: null, reset_token_expires_at: null });
      expect(await userRow(storage(), b.id)).toMatchObject({ reset_token: sha256('live-token'), reset_token_expires_at: T0 + 1 });
      expect(await userRow(storage(), c.id)).toMatchObject({ reset_token: null });
      expect(await db().purgeExpired(T0)).toEqual({ sessions: 0, resetTokens: 0 });
    });
  });

  describe('restarts and migrations', () => {
    it('keeps data when the same database is closed and opened again, and re-running migrations is harmless', async () => {
      const first = await engine.open();
      let second: TestStorage | undefined;
      try {
        const user = await new DB(first.kysely).addUser('keep@x.io', 'h', T0);
        await new DB(first.kysely).addSession(sha256('s'), user.id, T0, T0 + HOUR);
        const appliedFirst = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(first.kysely);
        const names = appliedFirst.rows.map((r) => r.name);
        expect(names[0]).toBe('0001_users_and_sessions');
        await first.detach();

        second = await first.reopen();
        const again = new DB(second.kysely);
        expect(await again.findUserBy({ email: 'keep@x.io' })).toEqual(user);
        expect(await again.findUserBySessionHash(sha256('s'), T0)).toEqual({ ...user, session_last_used: T0 });
        // Each migration is recorded once: the second start-up found nothing left to apply.
        const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(second.kysely);
        expect(applied.rows.map((r) => r.name)).toEqual(names);
        // The unique index survived the restart too.
        await expect(again.addUser('keep@x.io', 'h2')).rejects.toBeInstanceOf(UserAlreadyExistsError);
      } finally {
        await (second ?? first).close();
      }
    });

    it('migrates two independent databases side by side (another schema\'s migration table is not ours)', async () => {
      const other = await engine.open();
      try {
        await new DB(other.kysely).addUser('other@x.io', 'h', T0);
        const mine = new DB(storage().kysely);
        await expect(mine.findUserBy({ email: 'other@x.io' })).rejects.toBeInstanceOf(NoResultFoundError);
        await mine.addUser('other@x.io', 'h', T0);
        const reopened = await engine.open();
        await reopened.close();
      } finally {
        await other.close();
      }
    });
  });
});
