// The seed's Auth facade against real databases and real bcrypt (cost 4 for speed): registration, login, sessions,
// reset. The facade is built the way every caller builds it, through createSesame over the test's own database.
import { createHash } from 'node:crypto';
import bcrypt from 'bcrypt';
import { beforeEach, describe, expect, it } from 'vitest';
import { InvalidResetTokenError, WeakPasswordError } from '../../src/modules/password/index.js';
import { NoResultFoundError, UserAlreadyExistsError, type User } from '../../src/modules/users/index.js';
import type { Auth } from '../../src/seed/auth.js';
import type { Sesame } from '../../src/sesame.js';
import { BarrierHasher, CountingHasher } from '../support/doubles.js';
import { describeEngines, useFreshStorage, type TestStorage } from '../support/engines.js';
import { useServices } from '../support/in-process.js';

const COST = 4;
const T0 = 1_700_000_000_000;
const SESSION_TTL = 60_000;
const RESET_TTL = 10_000;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** The production password policy, as settings. */
const STRICT = { PASSWORD_MIN_LENGTH: '15', PASSWORD_CHECK_COMMON: 'true', PASSWORD_MIN_SCORE: '3' } as const;

/** SHA-256 hex, what the database must hold instead of a raw session id or reset token. */
function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Every row of the tables a secret could reach, serialised, to prove a raw secret was never written anywhere. */
async function dumpTables(storage: TestStorage): Promise<string> {
  const users = await storage.kysely.selectFrom('users').selectAll().execute();
  const sessions = await storage.kysely.selectFrom('sessions').selectAll().execute();
  const tokens = await storage.kysely.selectFrom('verification_tokens').selectAll().execute();
  const events = await storage.kysely.selectFrom('auth_events').selectAll().execute();
  return JSON.stringify({ users, sessions, tokens, events });
}

/** The stored reset tokens, oldest first, without their ids. */
async function tokenRows(storage: TestStorage): Promise<unknown[]> {
  return storage.kysely
    .selectFrom('verification_tokens')
    .select(['purpose', 'user_id', 'token_hash', 'created_at', 'expires_at', 'consumed_at'])
    .orderBy('id')
    .execute();
}

/** The stored row of a user, read directly. */
async function userRow(storage: TestStorage, email: string): Promise<User> {
  return storage.kysely.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
}

describeEngines('Auth', (engine) => {
  const storage = useFreshStorage(engine);
  /** The injected clock every instance built here reads; tests move it forward to cross an expiry. */
  let now = T0;
  let sesame: Sesame;
  /** Builds the services over this test's database with the suite's settings, plus `env` and an optional hasher. */
  const build = useServices(storage, { BCRYPT_COST: String(COST), SESSION_TTL: `${SESSION_TTL / 1000}s`, RESET_TOKEN_TTL: `${RESET_TTL / 1000}s` }, () => now);
  /** The facade of this test's default instance. */
  const auth = (): Auth => sesame.auth;
  beforeEach(async () => {
    now = T0;
    sesame = await build();
  });

  describe('registerUser', () => {
    it('stores a bcrypt hash of the password, never the password', async () => {
      const user = await auth().registerUser('a@x.io', 'correct horse');
      expect(user.email).toBe('a@x.io');
      expect(user.created_at).toBe(T0);
      expect(user.hashed_password).toMatch(/^\$2[aby]\$04\$/);
      expect(user.hashed_password).not.toContain('correct horse');
      const row = await userRow(storage(), 'a@x.io');
      expect(row.hashed_password).toBe(user.hashed_password);
      expect(await dumpTables(storage())).not.toContain('correct horse');
    });

    it('salts: one password registered twice gives two different hashes', async () => {
      const a = await auth().registerUser('a@x.io', 'same');
      const b = await auth().registerUser('b@x.io', 'same');
      expect(a.hashed_password).not.toBe(b.hashed_password);
    });

    it('normalises the email (trim and lower-case), so case variants are one account', async () => {
      const user = await auth().registerUser('  A@X.io ', 'pw');
      expect(user.email).toBe('a@x.io');
      await expect(auth().registerUser('a@x.io', 'pw2')).rejects.toBeInstanceOf(UserAlreadyExistsError);
      await expect(auth().registerUser('A@x.IO', 'pw2')).rejects.toThrow('User a@x.io already exists');
      const users = await storage().kysely.selectFrom('users').select('email').execute();
      expect(users).toEqual([{ email: 'a@x.io' }]);
    });
  });

  describe('validLogin', () => {
    it('is true only for the right password, false for a wrong password or an unknown email', async () => {
      await auth().registerUser('a@x.io', 'right');
      expect(await auth().validLogin('a@x.io', 'right')).toBe(true);
      expect(await auth().validLogin(' A@X.IO ', 'right')).toBe(true);
      expect(await auth().validLogin('a@x.io', 'wrong')).toBe(false);
      expect(await auth().validLogin('a@x.io', 'Right')).toBe(false);
      expect(await auth().validLogin('a@x.io', '')).toBe(false);
      expect(await auth().validLogin('nobody@x.io', 'right')).toBe(false);
    });

    it('does one bcrypt comparison at the real cost on both failure paths (unknown email, wrong password)', async () => {
      const hasher = new CountingHasher(COST);
      const counted = (await build({}, hasher)).auth;
      await counted.registerUser('a@x.io', 'right');
      hasher.reset();

      expect(await counted.validLogin('nobody@x.io', 'guess')).toBe(false);
      expect(hasher.verifyHashes).toHaveLength(1);
      const dummy = hasher.verifyHashes[0] ?? '';
      expect(bcrypt.getRounds(dummy)).toBe(COST);
      hasher.reset();

      expect(await counted.validLogin('a@x.io', 'guess')).toBe(false);
      expect(hasher.verifyHashes).toEqual([(await userRow(storage(), 'a@x.io')).hashed_password]);
      expect(hasher.hashCalls).toBe(0);
      hasher.reset();

      // A second unknown-email attempt reuses the dummy hash rather than paying for a new one.
      expect(await counted.validLogin('other@x.io', 'guess')).toBe(false);
      expect(hasher.verifyHashes).toEqual([dummy]);
      expect(hasher.hashCalls).toBe(0);
    });

    it('re-hashes at the new cost on a successful login after the cost was raised, and not on a failed one', async () => {
      await auth().registerUser('a@x.io', 'pw');
      const old = (await userRow(storage(), 'a@x.io')).hashed_password;
      expect(bcrypt.getRounds(old)).toBe(COST);

      const stronger = (await build({ BCRYPT_COST: String(COST + 1) })).auth;
      expect(await stronger.validLogin('a@x.io', 'wrong')).toBe(false);
      expect((await userRow(storage(), 'a@x.io')).hashed_password).toBe(old);

      expect(await stronger.validLogin('a@x.io', 'pw')).toBe(true);
      const upgraded = (await userRow(storage(), 'a@x.io')).hashed_password;
      expect(upgraded).not.toBe(old);
      expect(bcrypt.getRounds(upgraded)).toBe(COST + 1);
      expect(await stronger.validLogin('a@x.io', 'pw')).toBe(true);
      expect(await auth().validLogin('a@x.io', 'pw')).toBe(true);
      // Lowering the cost again does not downgrade a stronger hash.
      expect((await userRow(storage(), 'a@x.io')).hashed_password).toBe(upgraded);
    });

    it('uses every byte of a long password (no silent 72-byte bcrypt truncation)', async () => {
      const prefix = 'p'.repeat(90);
      const a = `${prefix}AAAAAAAAAA`;
      const b = `${prefix}BBBBBBBBBB`;
      expect(Buffer.byteLength(a)).toBe(100);
      await auth().registerUser('a@x.io', a);
      expect(await auth().validLogin('a@x.io', a)).toBe(true);
      expect(await auth().validLogin('a@x.io', b)).toBe(false);
      expect(await auth().validLogin('a@x.io', prefix)).toBe(false);
    });

    it('uses the bytes after a NUL (bcrypt would stop reading there)', async () => {
      await auth().registerUser('a@x.io', 'abc\u0000one');
      expect(await auth().validLogin('a@x.io', 'abc\u0000one')).toBe(true);
      expect(await auth().validLogin('a@x.io', 'abc\u0000two')).toBe(false);
      expect(await auth().validLogin('a@x.io', 'abc')).toBe(false);
    });

    it('matches NFKC-equivalent spellings of one password', async () => {
      await auth().registerUser('a@x.io', 'con\uFB01dential caf\u00E9');
      expect(await auth().validLogin('a@x.io', 'confidential cafe\u0301')).toBe(true);
      expect(await auth().validLogin('a@x.io', 'con\uFB01dential caf\u00E9')).toBe(true);
      expect(await auth().validLogin('a@x.io', 'confidential cafe')).toBe(false);
    });

    it('accepts a long Unicode password (64+ characters, most of them multi-byte)', async () => {
      const password = 'Пароль-密码-🔐-κωδικός-'.repeat(4);
      expect([...password].length).toBeGreaterThanOrEqual(64);
      expect(Buffer.byteLength(password)).toBeGreaterThan(72);
      await auth().registerUser('a@x.io', password);
      expect(await auth().validLogin('a@x.io', password)).toBe(true);
      expect(await auth().validLogin('a@x.io', `${password.slice(0, -1)}!`)).toBe(false);
    });
  });

  describe('sessions', () => {
    it('createSession returns a v4 UUID and stores only its SHA-256', async () => {
      const user = await auth().registerUser('a@x.io', 'pw');
      const sessionId = await auth().createSession('A@x.io');
      expect(sessionId).toHaveLength(36);
      expect(sessionId).toMatch(UUID_V4);

      const rows = await storage().kysely.selectFrom('sessions').selectAll().execute();
      expect(rows).toEqual([
        { id_hash: sha256(sessionId), user_id: user.id, created_at: T0, expires_at: T0 + SESSION_TTL, last_used_at: null, ended_at: null, end_reason: null, user_agent: null, ip: null },
      ]);
      const dump = await dumpTables(storage());
      expect(dump).not.toContain(sessionId);
      expect(dump).not.toContain(sessionId.replace(/-/g, ''));
    });

    it('createSession for an unknown email raises NoResultFoundError and stores nothing', async () => {
      await expect(auth().createSession('nobody@x.io')).rejects.toBeInstanceOf(NoResultFoundError);
      expect(await storage().kysely.selectFrom('sessions').selectAll().execute()).toEqual([]);
    });

    it('keeps both sessions of one user valid; destroySession ends only the one presented', async () => {
      await auth().registerUser('a@x.io', 'pw');
      const laptop = await auth().createSession('a@x.io');
      const phone = await auth().createSession('a@x.io');
      expect(laptop).not.toBe(phone);
      expect((await auth().getUserFromSessionId(laptop))?.email).toBe('a@x.io');
      expect((await auth().getUserFromSessionId(phone))?.email).toBe('a@x.io');

      expect(await auth().destroySession(laptop)).toBe(true);
      expect(await auth().getUserFromSessionId(laptop)).toBeNull();
      expect((await auth().getUserFromSessionId(phone))?.email).toBe('a@x.io');
      expect(await auth().destroySession(laptop)).toBe(false);
    });

    it('destroyAllSessions ends every session of that user and no one else\'s', async () => {
      const a = await auth().registerUser('a@x.io', 'pw');
      await auth().registerUser('b@x.io', 'pw');
      const a1 = await auth().createSession('a@x.io');
      const a2 = await auth().createSession('a@x.io');
      const b1 = await auth().createSession('b@x.io');

      expect(await auth().destroyAllSessions(a.id)).toBe(2);
      expect(await auth().getUserFromSessionId(a1)).toBeNull();
      expect(await auth().getUserFromSessionId(a2)).toBeNull();
      expect((await auth().getUserFromSessionId(b1))?.email).toBe('b@x.io');
    });

    it('getUserFromSessionId and destroySession answer null/false for null, undefined, empty and unknown ids', async () => {
      await auth().registerUser('a@x.io', 'pw');
      const live = await auth().createSession('a@x.io');
      for (const id of [null, undefined, '', 'not-a-session', '00000000-0000-4000-8000-000000000000', sha256(live)]) {
        expect(await auth().getUserFromSessionId(id)).toBeNull();
        expect(await auth().destroySession(id)).toBe(false);
      }
      expect((await auth().getUserFromSessionId(live))?.email).toBe('a@x.io');
    });

    it('treats a session past its TTL exactly like an unknown one', async () => {
      await auth().registerUser('a@x.io', 'pw');
      const a = await auth().createSession('a@x.io');
      const b = await auth().createSession('a@x.io');

      now = T0 + SESSION_TTL - 1;
      expect((await auth().getUserFromSessionId(a))?.email).toBe('a@x.io');

      now = T0 + SESSION_TTL;
      expect(await auth().getUserFromSessionId(a)).toBeNull();
      expect(await auth().getUserFromSessionId(a)).toEqual(await auth().getUserFromSessionId('unknown'));
      expect(await auth().destroySession(b)).toBe(false);
      expect(await auth().destroySession(b)).toEqual(await auth().destroySession('unknown'));
    });
  });

  describe('reset tokens', () => {
    it('getResetPasswordToken raises NoResultFoundError for an unknown email', async () => {
      await auth().registerUser('a@x.io', 'pw');
      await expect(auth().getResetPasswordToken('nobody@x.io')).rejects.toBeInstanceOf(NoResultFoundError);
      expect(await tokenRows(storage())).toEqual([]);
    });

    it('issues a v4 UUID and stores only its SHA-256 in verification_tokens, with its purpose and expiry', async () => {
      const user = await auth().registerUser('a@x.io', 'pw');
      const token = await auth().getResetPasswordToken(' A@X.io ');
      expect(token).toMatch(UUID_V4);
      expect(await tokenRows(storage())).toEqual([
        { purpose: 'password_reset', user_id: user.id, token_hash: sha256(token), created_at: T0, expires_at: T0 + RESET_TTL, consumed_at: null },
      ]);
      expect(await dumpTables(storage())).not.toContain(token);
    });

    it('updatePassword sets the new password, spends the token and ends every session of the user', async () => {
      await auth().registerUser('a@x.io', 'old');
      await auth().registerUser('b@x.io', 'pw');
      const s1 = await auth().createSession('a@x.io');
      const s2 = await auth().createSession('a@x.io');
      const other = await auth().createSession('b@x.io');
      const token = await auth().getResetPasswordToken('a@x.io');

      const user = await auth().updatePassword(token, 'new', 'a@x.io');
      expect(user.email).toBe('a@x.io');
      expect(await auth().validLogin('a@x.io', 'new')).toBe(true);
      expect(await auth().validLogin('a@x.io', 'old')).toBe(false);
      expect(await auth().getUserFromSessionId(s1)).toBeNull();
      expect(await auth().getUserFromSessionId(s2)).toBeNull();
      expect((await auth().getUserFromSessionId(other))?.email).toBe('b@x.io');
      expect(await tokenRows(storage())).toEqual([expect.objectContaining({ token_hash: sha256(token), consumed_at: T0 })]);
      expect(await dumpTables(storage())).not.toContain('"new"');

      await expect(auth().updatePassword(token, 'newer')).rejects.toBeInstanceOf(InvalidResetTokenError);
      expect(await auth().validLogin('a@x.io', 'new')).toBe(true);
    });

    it('refuses an unknown token and a token presented with another email, changing nothing', async () => {
      await auth().registerUser('a@x.io', 'old');
      await auth().registerUser('b@x.io', 'pw');
      const session = await auth().createSession('a@x.io');
      const token = await auth().getResetPasswordToken('a@x.io');
      const before = await userRow(storage(), 'a@x.io');

      await expect(auth().updatePassword('00000000-0000-4000-8000-000000000000', 'new')).rejects.toBeInstanceOf(InvalidResetTokenError);
      await expect(auth().updatePassword(token, 'new', 'b@x.io')).rejects.toBeInstanceOf(InvalidResetTokenError);
      await expect(auth().updatePassword(token, 'new', 'nobody@x.io')).rejects.toBeInstanceOf(InvalidResetTokenError);

      expect(await userRow(storage(), 'a@x.io')).toEqual(before);
      expect(await auth().validLogin('a@x.io', 'old')).toBe(true);
      expect(await auth().validLogin('b@x.io', 'pw')).toBe(true);
      expect((await auth().getUserFromSessionId(session))?.email).toBe('a@x.io');
      // The token survived the refused attempts and still works for its own email (case-insensitively).
      await auth().updatePassword(token, 'new', 'A@X.IO');
      expect(await auth().validLogin('a@x.io', 'new')).toBe(true);
    });

    it('a new token leaves the earlier ones live (asking again cannot cancel the owner\'s link); one reset spends them all', async () => {
      await auth().registerUser('a@x.io', 'old');
      const first = await auth().getResetPasswordToken('a@x.io');
      const second = await auth().getResetPasswordToken('a@x.io');
      const third = await auth().getResetPasswordToken('a@x.io');
      expect(new Set([first, second, third]).size).toBe(3);
      await auth().updatePassword(second, 'new');
      expect(await auth().validLogin('a@x.io', 'new')).toBe(true);
      for (const token of [first, second, third]) await expect(auth().updatePassword(token, 'newer')).rejects.toBeInstanceOf(InvalidResetTokenError);
      expect(await tokenRows(storage())).toEqual([expect.objectContaining({ token_hash: sha256(second), consumed_at: T0 })]);
      expect(await auth().validLogin('a@x.io', 'new')).toBe(true);
    });

    it('treats a token past its TTL exactly like an unknown one', async () => {
      await auth().registerUser('a@x.io', 'old');
      const token = await auth().getResetPasswordToken('a@x.io');
      now = T0 + RESET_TTL;
      const expired = await auth().updatePassword(token, 'new').catch((error: unknown) => error);
      const unknown = await auth().updatePassword('00000000-0000-4000-8000-000000000000', 'new').catch((error: unknown) => error);
      expect(expired).toBeInstanceOf(InvalidResetTokenError);
      expect(unknown).toBeInstanceOf(InvalidResetTokenError);
      expect((expired as Error).message).toBe((unknown as Error).message);
      expect(await auth().validLogin('a@x.io', 'old')).toBe(true);
      expect(await auth().validLogin('a@x.io', 'new')).toBe(false);
    });

    it('lets exactly one of several concurrent updatePassword calls with one token succeed', async () => {
      await auth().registerUser('a@x.io', 'old');
      const token = await auth().getResetPasswordToken('a@x.io');
      const passwords = ['new-0', 'new-1', 'new-2', 'new-3'];
      const racer = (await build({}, new BarrierHasher(COST, passwords.length))).auth;
      const results = await Promise.allSettled(passwords.map((p) => racer.updatePassword(token, p)));
      const winners = passwords.filter((_, i) => results[i]?.status === 'fulfilled');
      expect(winners).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(InvalidResetTokenError);
      }
      for (const p of passwords) expect(await auth().validLogin('a@x.io', p)).toBe(p === winners[0]);
      expect(await auth().validLogin('a@x.io', 'old')).toBe(false);
    });
  });

  describe('password policy (the production settings)', () => {
    const GOOD = 'the quiet librarian hums at noon';
    /** Runs `body` with an instance on the production policy (its scoring threads end after the test). */
    async function withStrict(body: (strict: Auth, services: Sesame) => Promise<void>): Promise<void> {
      const services = await build(STRICT);
      await body(services.auth, services);
    }

    it('registerUser refuses a listed, a guessable and a short password with WeakPasswordError, storing no user', async () => {
      await withStrict(async (strict) => {
        await expect(strict.registerUser('a@x.io', 'spongebobsquarepants')).rejects.toThrow(/too common/);
        await expect(strict.registerUser('a@x.io', 'passwordpassword1')).rejects.toThrow(/too easy to guess/);
        await expect(strict.registerUser('a@x.io', 'fourteen chars')).rejects.toBeInstanceOf(WeakPasswordError);
        expect(await storage().kysely.selectFrom('users').select('email').execute()).toEqual([]);
        expect((await strict.registerUser('a@x.io', GOOD)).email).toBe('a@x.io');
      });
    });

    it('updatePassword and changePassword refuse a weak new password and change nothing: token, sessions, old password', async () => {
      await withStrict(async (strict, services) => {
        await strict.registerUser('a@x.io', GOOD);
        const session = await strict.createSession('a@x.io');
        const token = await strict.getResetPasswordToken('a@x.io');
        const before = await userRow(storage(), 'a@x.io');
        await expect(strict.updatePassword(token, 'mychemicalromance', 'a@x.io')).rejects.toBeInstanceOf(WeakPasswordError);
        const checked = await services.sessions.validate(session);
        if (checked === null) throw new Error('the session should be live');
        await expect(services.password.change.change(checked, GOOD, 'qwertyuiopasdfgh1')).rejects.toBeInstanceOf(WeakPasswordError);
        expect(await userRow(storage(), 'a@x.io')).toEqual(before);
        expect((await strict.getUserFromSessionId(session))?.email).toBe('a@x.io');
        expect(await strict.validLogin('a@x.io', GOOD)).toBe(true);
        // The token was not spent by the refusals.
        await strict.updatePassword(token, 'a second quiet librarian at dusk', 'a@x.io');
        expect(await strict.getUserFromSessionId(session)).toBeNull();
      });
    });
  });

  describe('purgeExpired', () => {
    it('removes sessions and reset tokens whose time has passed, by the injected clock', async () => {
      await auth().registerUser('a@x.io', 'pw');
      await auth().registerUser('b@x.io', 'pw');
      const old = await auth().createSession('a@x.io');
      await auth().getResetPasswordToken('a@x.io');
      now = T0 + SESSION_TTL - 1;
      const fresh = await auth().createSession('b@x.io');
      const liveToken = await auth().getResetPasswordToken('b@x.io');

      now = T0 + SESSION_TTL;
      expect(await sesame.purgeExpired()).toMatchObject({ sessions: 1, verificationTokens: 1 });
      expect(await storage().kysely.selectFrom('sessions').select('id_hash').execute()).toEqual([{ id_hash: sha256(fresh) }]);
      const b = await userRow(storage(), 'b@x.io');
      expect(await tokenRows(storage())).toEqual([expect.objectContaining({ user_id: b.id, token_hash: sha256(liveToken) })]);
      expect(await auth().getUserFromSessionId(old)).toBeNull();
      expect(await sesame.purgeExpired()).toMatchObject({ sessions: 0, verificationTokens: 0 });
    });
  });
});
