// The seed's DB facade against real databases (SQLite in a temp file, PostgreSQL in a schema): addUser, findUserBy,
// updateUser, and what survives a restart.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { DB } from '../../src/seed/db.js';
import type { UserFilter } from '../../src/modules/users/index.js';
import { NoResultFoundError, UnknownColumnError, UserAlreadyExistsError, type User, type UserChanges } from '../../src/modules/users/index.js';
import { KyselySessionStore, NO_IDLE_CUTOFF } from '../../src/modules/sessions/index.js';
import { describeEngines, useFreshStorage, type TestStorage } from '../support/engines.js';

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

describeEngines('DB', (engine) => {
  const storage = useFreshStorage(engine);
  const db = (): DB => DB.fromStorage(storage());

  describe('addUser', () => {
    it('returns the saved user with an assigned id, its fields and its times', async () => {
      const user = await db().addUser('a@x.io', 'hash-a', T0);
      expect(user).toEqual({
        id: expect.any(Number) as number,
        email: 'a@x.io',
        hashed_password: 'hash-a',
        credential_version: 0,
        disabled_at: null,
        disabled_reason: null,
        // A new account has not proved its address yet, and is written to in the default language.
        email_verified_at: null,
        language: 'en',
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
      // A null matches with IS NULL, which no required column holds.
      await expect(db().findUserBy({ email: null } as unknown as UserFilter)).rejects.toBeInstanceOf(NoResultFoundError);
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

    it('refuses reset_token (moved to verification_tokens) as an unknown column, in findUserBy and updateUser alike', async () => {
      const user = await db().addUser('a@x.io', 'ha', T0);
      await expect(db().findUserBy({ reset_token: null, email: 'a@x.io' } as unknown as UserFilter)).rejects.toBeInstanceOf(UnknownColumnError);
      await expect(db().findUserBy({ reset_token_expires_at: null } as unknown as UserFilter)).rejects.toThrow(/users has no column "reset_token_expires_at"/);
      await expect(db().updateUser(user.id, { reset_token: 'tok' } as unknown as UserChanges)).rejects.toBeInstanceOf(UnknownColumnError);
      expect(await userRow(storage(), user.id)).toEqual(user);
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
      await db().updateUser(user.id, { hashed_password: 'new', email: 'renamed@x.io' });
      const row = await userRow(storage(), user.id);
      expect(row).toMatchObject({ email: 'renamed@x.io', hashed_password: 'new', created_at: T0 });
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

  describe('restarts and migrations', () => {
    it('keeps data when the same database is closed and opened again, and re-running migrations is harmless', async () => {
      const first = await engine.open();
      let second: TestStorage | undefined;
      try {
        const user = await DB.fromStorage(first).addUser('keep@x.io', 'h', T0);
        await new KyselySessionStore(first.kysely, first.traits).insert(sha256('s'), user.id, T0, T0 + HOUR);
        const appliedFirst = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(first.kysely);
        const names = appliedFirst.rows.map((r) => r.name);
        expect(names[0]).toBe('0001_users_and_sessions');
        await first.detach();

        second = await first.reopen();
        const again = DB.fromStorage(second);
        expect(await again.findUserBy({ email: 'keep@x.io' })).toEqual(user);
        expect(await new KyselySessionStore(second.kysely, second.traits).findLive(sha256('s'), T0, NO_IDLE_CUTOFF)).toEqual({ ...user, session_last_used: T0 });
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
        await DB.fromStorage(other).addUser('other@x.io', 'h', T0);
        const mine = DB.fromStorage(storage());
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

