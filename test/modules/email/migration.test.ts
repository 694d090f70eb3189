// The upgrade that brings email verification, on both engines: a database at 0012_mail_outbox with accounts, opened
// by this version, has every existing account verified at its own created_at and writing in English, so turning
// REQUIRE_EMAIL_VERIFICATION on locks nobody out; an account registered after the upgrade starts unverified. With a
// table prefix too.
import { sql } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { BcryptHasher, PasswordError } from '../../../src/modules/password/index.js';
import type { Sesame } from '../../../src/sesame.js';
import { describeEngines, type TestStorage } from '../../support/engines.js';
import { send } from '../../support/http.js';
import { buildSesame } from '../../support/in-process.js';
import { startMailService, useCleanup } from './harness.js';

useCleanup();

const PASSWORD = 'an old account passphrase';

describeEngines('email verification upgrade from 0012_mail_outbox', (engine) => {
  const opened: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of opened.splice(0).reverse()) await close();
  });

  /** Opens a database at 0012 (under `prefix`, which the storage adds to `sql.table` too) and writes three accounts made at different times, one disabled. */
  async function oldDatabase(prefix: string): Promise<{ old: TestStorage; created: Record<string, number> }> {
    const old = await engine.open({ upTo: '0012_mail_outbox', tablePrefix: prefix });
    opened.push(() => old.close());
    const hash = await new BcryptHasher(4).hash(PASSWORD);
    const created: Record<string, number> = { 'first@example.io': 1_600_000_000_123, 'second@example.io': 1_650_000_000_456, 'disabled@example.io': 1_660_000_000_789 };
    for (const [email, at] of Object.entries(created)) {
      const disabledAt = email.startsWith('disabled') ? at + 1 : null;
      await sql`insert into ${sql.table('users')} (email, hashed_password, created_at, updated_at, disabled_at) values (${email}, ${hash}, ${at}, ${at + 5}, ${disabledAt})`.execute(old.kysely);
    }
    return { old, created };
  }

  /** Reopens the database with this version's migrations and builds Sesame on it with verification required. */
  async function upgrade(old: TestStorage, prefix: string): Promise<{ storage: TestStorage; sesame: Sesame }> {
    await old.detach();
    const storage = await old.reopen({ tablePrefix: prefix });
    opened.push(() => storage.detach());
    const sesame = await buildSesame(storage, { REQUIRE_EMAIL_VERIFICATION: 'true', ...(prefix === '' ? {} : { DATABASE_TABLE_PREFIX: prefix }) });
    opened.push(() => sesame.close());
    return { storage, sesame };
  }

  for (const prefix of ['', 'sesame_']) {
    it(`marks every existing account verified at its created_at, in English; they log in with verification required${prefix === '' ? '' : ' (table prefix)'}`, async () => {
      const { old, created } = await oldDatabase(prefix);
      const { storage, sesame } = await upgrade(old, prefix);
      const rows = await storage.kysely.selectFrom('users').select(['email', 'created_at', 'updated_at', 'email_verified_at', 'language']).orderBy('id').execute();
      expect(rows.map((row) => ({ ...row, created_at: Number(row.created_at), updated_at: Number(row.updated_at), email_verified_at: row.email_verified_at === null ? null : Number(row.email_verified_at) }))).toEqual(
        Object.entries(created).map(([email, at]) => ({ email, created_at: at, updated_at: at + 5, email_verified_at: at, language: 'en' })),
      );
      const migrated = await storage.kysely.selectFrom('kysely_migration' as never).select('name' as never).execute();
      expect(migrated.map((row) => (row as { name: string }).name)).toContain('0013_users_email_verified');

      const loggedIn = await sesame.password.login.login('first@example.io', PASSWORD, undefined);
      expect(loggedIn?.user.email).toBe('first@example.io');
      expect(await sesame.password.login.login('second@example.io', 'wrong passphrase', undefined)).toBeNull();
      // A disabled account stays refused like a wrong password.
      expect(await sesame.password.login.login('disabled@example.io', PASSWORD, undefined)).toBeNull();

      // An account registered after the upgrade starts unverified and waits.
      const fresh = await sesame.password.registration.register('new@example.io', PASSWORD);
      expect(fresh.email_verified_at).toBeNull();
      const refusal = await sesame.password.login.login('new@example.io', PASSWORD, undefined).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(PasswordError);
      expect((refusal as PasswordError).code).toBe('login.email_not_verified');

      // And over HTTP, through a server on the upgraded database.
      const service = await startMailService({ DATABASE_URL: storage.url, REQUIRE_EMAIL_VERIFICATION: 'true', ...(prefix === '' ? {} : { DATABASE_TABLE_PREFIX: prefix }) });
      const form = (email: string) => ({ form: { email, password: PASSWORD } });
      expect((await send(service.url, 'POST', '/sessions', form('second@example.io'))).status).toBe(200);
      expect((await send(service.url, 'POST', '/sessions', form('new@example.io'))).json).toEqual({ message: 'email not verified' });
      await service.stop();
    });
  }
});
