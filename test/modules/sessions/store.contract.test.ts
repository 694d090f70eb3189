// The SessionStore port's contract, on SQLite (a temp file) and PostgreSQL (a schema): every query of
// KyselySessionStore, the per-request lookup's plan included.
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
import { KyselySessionStore, NO_IDLE_CUTOFF, type SessionStore } from '../../../src/modules/sessions/index.js';
import { DB } from '../../../src/seed/db.js';
import { describeEngines, useFreshStorage, type TestStorage } from '../../support/engines.js';

/** A fixed "now" far from the real clock, so expiry tests never depend on when they run. */
const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

/** SHA-256 hex of a string, the shape of every stored session id. */
function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Counts the session rows of a user (or all of them) directly in the table. */
async function sessionCount(storage: TestStorage, userId?: number): Promise<number> {
  let query = storage.kysely.selectFrom('sessions').select((eb) => eb.fn.countAll<number>().as('n'));
  if (userId !== undefined) query = query.where('user_id', '=', userId);
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Records every query a Kysely instance builds, so a test can EXPLAIN exactly the SQL the store sends. */
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

describeEngines('SessionStore', (engine) => {
  const storage = useFreshStorage(engine);
  /** The store under test, on its engine's fastest path (a prepared statement on SQLite). */
  const sessions = (): SessionStore => new KyselySessionStore(storage().kysely, storage().traits);
  /** Accounts are made through the seed facade. */
  const db = (): DB => DB.fromStorage(storage());

  describe('insert, findLive, touch, end, endAllOfUser, listLive', () => {
    it('finds the user of a live session by its hash, and nothing for an unknown or expired one', async () => {
      const user = await db().addUser('a@x.io', 'h', T0);
      await sessions().insert(sha256('live'), user.id, T0, T0 + HOUR);
      expect(await sessions().findLive(sha256('live'), T0, NO_IDLE_CUTOFF)).toEqual({ ...user, session_last_used: T0 });
      expect(await sessions().findLive(sha256('unknown'), T0, NO_IDLE_CUTOFF)).toBeUndefined();
      // expires_at is exclusive: at the instant of expiry the session is already dead.
      expect(await sessions().findLive(sha256('live'), T0 + HOUR - 1, NO_IDLE_CUTOFF)).toEqual({ ...user, session_last_used: T0 });
      expect(await sessions().findLive(sha256('live'), T0 + HOUR, NO_IDLE_CUTOFF)).toBeUndefined();
    });

    it('applies the idle cut-off to the last use (or the start, before any use), and touch records a use', async () => {
      const user = await db().addUser('a@x.io', 'h', T0);
      await sessions().insert(sha256('s'), user.id, T0, T0 + HOUR);
      // Last use must be strictly after the cut-off.
      expect(await sessions().findLive(sha256('s'), T0 + 10, T0 - 1)).toEqual({ ...user, session_last_used: T0 });
      expect(await sessions().findLive(sha256('s'), T0 + 10, T0)).toBeUndefined();
      await sessions().touch(sha256('s'), T0 + 5);
      expect(await sessions().findLive(sha256('s'), T0 + 10, T0)).toEqual({ ...user, session_last_used: T0 + 5 });
      expect((await sessions().listLive(user.id, T0 + 10, T0 + 5)).length).toBe(0);
      expect((await sessions().listLive(user.id, T0 + 10, T0 + 4)).length).toBe(1);
    });

    it('keeps any number of sessions per user', async () => {
      const user = await db().addUser('a@x.io', 'h', T0);
      await sessions().insert(sha256('s1'), user.id, T0, T0 + HOUR);
      await sessions().insert(sha256('s2'), user.id, T0, T0 + HOUR);
      expect(await sessions().findLive(sha256('s1'), T0, NO_IDLE_CUTOFF)).toEqual({ ...user, session_last_used: T0 });
      expect(await sessions().findLive(sha256('s2'), T0, NO_IDLE_CUTOFF)).toEqual({ ...user, session_last_used: T0 });
      expect(await sessionCount(storage(), user.id)).toBe(2);
    });

    it('rejects a second session under the same hash (the hash is the primary key)', async () => {
      const user = await db().addUser('a@x.io', 'h', T0);
      await sessions().insert(sha256('s'), user.id, T0, T0 + HOUR);
      await expect(sessions().insert(sha256('s'), user.id, T0, T0 + 2 * HOUR)).rejects.toThrow();
      expect(await sessionCount(storage())).toBe(1);
    });

    it('end marks only a live session ended, with its reason, returns its user, and keeps the row; endReasonOf tells why', async () => {
      const user = await db().addUser('a@x.io', 'h', T0);
      await sessions().insert(sha256('live'), user.id, T0, T0 + HOUR);
      await sessions().insert(sha256('dead'), user.id, T0 - 2 * HOUR, T0 - HOUR);
      await sessions().insert(sha256('other'), user.id, T0, T0 + HOUR);

      expect(await sessions().endReasonOf(sha256('live'))).toBeNull();
      expect(await sessions().end(sha256('live'), 'logout', T0)).toBe(user.id);
      expect(await sessions().end(sha256('live'), 'revoked', T0)).toBeUndefined();
      expect(await sessions().end(sha256('dead'), 'logout', T0)).toBeUndefined();
      expect(await sessions().end(sha256('unknown'), 'logout', T0)).toBeUndefined();
      expect(await sessions().findLive(sha256('live'), T0, NO_IDLE_CUTOFF)).toBeUndefined();
      expect(await sessions().endReasonOf(sha256('live'))).toBe('logout');
      expect(await sessions().endReasonOf(sha256('dead'))).toBeNull();
      expect(await sessions().endReasonOf(sha256('unknown'))).toBeUndefined();

      const rows = await storage().kysely.selectFrom('sessions').select(['id_hash', 'ended_at', 'end_reason']).orderBy('id_hash').execute();
      expect(rows).toEqual(
        [
          { id_hash: sha256('live'), ended_at: T0, end_reason: 'logout' },
          { id_hash: sha256('dead'), ended_at: null, end_reason: null },
          { id_hash: sha256('other'), ended_at: null, end_reason: null },
        ].sort((x, y) => x.id_hash.localeCompare(y.id_hash)),
      );
      expect((await sessions().listLive(user.id, T0, NO_IDLE_CUTOFF)).map((r) => r.id_hash)).toEqual([sha256('other')]);
    });

    it('endAllOfUser ends every live session of that user only, with its reason, and returns the count', async () => {
      const a = await db().addUser('a@x.io', 'h', T0);
      const b = await db().addUser('b@x.io', 'h', T0);
      await sessions().insert(sha256('a1'), a.id, T0, T0 + HOUR);
      await sessions().insert(sha256('a2'), a.id, T0, T0 + HOUR);
      await sessions().insert(sha256('b1'), b.id, T0, T0 + HOUR);

      expect(await sessions().endAllOfUser(a.id, 'password_reset', T0)).toBe(2);
      expect(await sessions().endAllOfUser(a.id, 'revoked', T0)).toBe(0);
      expect(await sessions().findLive(sha256('a1'), T0, NO_IDLE_CUTOFF)).toBeUndefined();
      expect(await sessions().endReasonOf(sha256('a2'))).toBe('password_reset');
      expect(await sessions().findLive(sha256('b1'), T0, NO_IDLE_CUTOFF)).toEqual({ ...b, session_last_used: T0 });
      expect(await sessionCount(storage(), a.id)).toBe(2);
    });

    it('enforces the foreign key: no session for a missing user, and deleting a user ends its sessions', async () => {
      // No store deletes users yet; the schema's guarantees are checked through the query builder.
      const a = await db().addUser('a@x.io', 'h', T0);
      const b = await db().addUser('b@x.io', 'h', T0);
      await expect(sessions().insert(sha256('orphan'), a.id + b.id + 1000, T0, T0 + HOUR)).rejects.toThrow();
      await sessions().insert(sha256('a1'), a.id, T0, T0 + HOUR);
      await sessions().insert(sha256('b1'), b.id, T0, T0 + HOUR);

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
      // This table only: a database-wide ANALYZE would also visit (and wait on) the schemas of every suite running beside it.
      await sql`ANALYZE ${sql.table('sessions')}`.execute(storage().kysely);

      const recorder = new QueryRecorder();
      const recorded = new KyselySessionStore(storage().kysely.withPlugin(recorder), { ...storage().traits, prepareRead: undefined });
      expect(await recorded.findLive(sha256('bulk-7'), T0, NO_IDLE_CUTOFF)).toEqual({ ...user, session_last_used: T0 });
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

  describe('insertIfCredentialCurrent', () => {
    it('stores the session only while the account is at the credential version its password was checked against', async () => {
      const user = await db().addUser('a@x.io', 'h', T0);
      expect(await sessions().insertIfCredentialCurrent(sha256('first'), user.id, 0, T0, T0 + HOUR)).toBe(true);
      expect(await sessions().findLive(sha256('first'), T0, NO_IDLE_CUTOFF)).toEqual({ ...user, session_last_used: T0 });
      await storage().kysely.updateTable('users').set({ credential_version: 1 }).where('id', '=', user.id).execute();
      expect(await sessions().insertIfCredentialCurrent(sha256('stale'), user.id, 0, T0, T0 + HOUR)).toBe(false);
      expect(await sessions().insertIfCredentialCurrent(sha256('other-user'), user.id + 1000, 0, T0, T0 + HOUR)).toBe(false);
      expect(await sessions().insertIfCredentialCurrent(sha256('current'), user.id, 1, T0, T0 + HOUR)).toBe(true);
      const stored = await storage().kysely.selectFrom('sessions').select(['id_hash', 'user_id', 'created_at', 'expires_at']).orderBy('created_at').orderBy('id_hash').execute();
      expect(stored).toEqual(
        [sha256('first'), sha256('current')].sort().map((idHash) => ({ id_hash: idHash, user_id: user.id, created_at: T0, expires_at: T0 + HOUR })),
      );
    });
  });

  describe('purgeExpired', () => {
    it('deletes rows past their expiry, ended or not, and ends idle sessions as expired, leaving live ones', async () => {
      const a = await db().addUser('a@x.io', 'h', T0);
      const b = await db().addUser('b@x.io', 'h', T0);
      await sessions().insert(sha256('dead1'), a.id, T0 - 2 * HOUR, T0 - HOUR);
      await sessions().insert(sha256('dead2'), b.id, T0 - 2 * HOUR, T0);
      await sessions().insert(sha256('ended-dead'), b.id, T0 - 2 * HOUR, T0);
      await sessions().end(sha256('ended-dead'), 'logout', T0 - HOUR);
      await sessions().insert(sha256('ended-live'), a.id, T0, T0 + HOUR);
      await sessions().end(sha256('ended-live'), 'logout', T0);
      await sessions().insert(sha256('live'), a.id, T0, T0 + 1);
      await sessions().insert(sha256('idle'), b.id, T0 - 10, T0 + HOUR);

      expect(await sessions().purgeExpired(T0, T0 - 10)).toEqual({ deleted: 3, endedIdle: 1 });
      const left = await storage().kysely.selectFrom('sessions').select(['id_hash', 'end_reason']).orderBy('id_hash').execute();
      expect(left).toEqual(
        [
          { id_hash: sha256('ended-live'), end_reason: 'logout' },
          { id_hash: sha256('live'), end_reason: null },
          { id_hash: sha256('idle'), end_reason: 'expired' },
        ].sort((x, y) => x.id_hash.localeCompare(y.id_hash)),
      );
      expect(await sessions().purgeExpired(T0, NO_IDLE_CUTOFF)).toEqual({ deleted: 0, endedIdle: 0 });
    });
  });
});
