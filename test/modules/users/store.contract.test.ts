// The UserStore port's contract on SQLite (a temp file) and PostgreSQL (a schema): what the seed facade's suite
// (test/seed/db.test.ts) does not reach: lookups by normalised email, replacing a password (which moves the
// credential version), the conditional hash upgrade, and writing inside a transaction.
import { expect, it } from 'vitest';
import { KyselyUserStore, UserAlreadyExistsError, type UserStore } from '../../../src/modules/users/index.js';
import { describeEngines, useFreshStorage } from '../../support/engines.js';

const T0 = 1_700_000_000_000;

describeEngines('UserStore', (engine) => {
  const storage = useFreshStorage(engine);
  const users = (): UserStore => new KyselyUserStore(storage().kysely, storage().traits);

  it('a fresh database holds no account: no default, admin or service user (ASVS V6.3.2)', async () => {
    expect(await storage().kysely.selectFrom('users').selectAll().execute()).toEqual([]);
  });

  it('findByEmail finds the stored form only (callers normalise), and undefined for nobody', async () => {
    const a = await users().insert('a@x.io', 'h', T0);
    expect(await users().findByEmail('a@x.io')).toEqual(a);
    expect(await users().findByEmail('A@x.io')).toBeUndefined();
    expect(await users().findByEmail('nobody@x.io')).toBeUndefined();
  });

  it('a new account starts at credential version 0; replacePassword sets the hash and moves the version each time', async () => {
    const a = await users().insert('a@x.io', 'h1', T0);
    const b = await users().insert('b@x.io', 'hb', T0);
    expect(a.credential_version).toBe(0);
    await users().replacePassword(a.id, 'h2', T0 + 1);
    await users().replacePassword(a.id, 'h3', T0 + 2);
    expect(await users().findByEmail('a@x.io')).toMatchObject({ hashed_password: 'h3', credential_version: 2, updated_at: T0 + 2 });
    expect(await users().findByEmail('b@x.io')).toEqual(b);
  });

  it('upgradeHash stores the stronger hash only over the hash that was verified, and never moves the version', async () => {
    const a = await users().insert('a@x.io', 'weak', T0);
    expect(await users().upgradeHash(a.id, 'weak', 'strong', T0 + 1)).toBe(true);
    expect(await users().findByEmail('a@x.io')).toMatchObject({ hashed_password: 'strong', credential_version: 0 });
    // The password changed meanwhile: the upgrade of the old one is dropped.
    await users().replacePassword(a.id, 'changed', T0 + 2);
    expect(await users().upgradeHash(a.id, 'strong', 'stronger-old', T0 + 3)).toBe(false);
    expect(await users().findByEmail('a@x.io')).toMatchObject({ hashed_password: 'changed', credential_version: 1 });
  });

  it('writes inside a transaction: a rolled-back insert leaves nothing, and the unique index still decides', async () => {
    await expect(
      storage().kysely.transaction().execute(async (tx) => {
        await users().in(tx).insert('t@x.io', 'h', T0);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await users().findByEmail('t@x.io')).toBeUndefined();
    await users().insert('t@x.io', 'h', T0);
    await expect(storage().kysely.transaction().execute((tx) => users().in(tx).insert('t@x.io', 'h2', T0))).rejects.toBeInstanceOf(UserAlreadyExistsError);
  });
});
