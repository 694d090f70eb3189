// The VerificationTokenStore port's contract, on SQLite (a temp file) and PostgreSQL (a schema): tokens stored as
// their hash with a purpose, one live reset token per account when issued with `replace`, spent once, expiring,
// purged, deleted with their account. (Setting the new password and ending sessions in the same transaction is the
// reset flow's job: see test/seed/auth.test.ts, "reset tokens".) These cases moved here from the DB suite's
// `reset_token` cases when the tokens left the users table.
import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import type { User } from '../../../src/modules/users/index.js';
import { KyselyVerificationStore, type VerificationTokenStore } from '../../../src/modules/verification/index.js';
import { DB } from '../../../src/seed/db.js';
import { describeEngines, useFreshStorage, type TestStorage } from '../../support/engines.js';

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

/** SHA-256 hex of a string, the shape of every stored token. */
function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** The stored rows, oldest first, without their ids. */
async function rows(storage: TestStorage): Promise<unknown[]> {
  return storage.kysely.selectFrom('verification_tokens').select(['purpose', 'user_id', 'token_hash', 'created_at', 'expires_at', 'consumed_at']).orderBy('id').execute();
}

describeEngines('VerificationTokenStore', (engine) => {
  const storage = useFreshStorage(engine);
  const tokens = (): VerificationTokenStore => new KyselyVerificationStore(storage().kysely);
  const db = (): DB => DB.fromStorage(storage());
  /** Two accounts to issue tokens to. */
  async function twoUsers(): Promise<[User, User]> {
    return [await db().addUser('a@x.io', 'ha', T0), await db().addUser('b@x.io', 'hb', T0)];
  }
  const REPLACE = { replace: true } as const;

  it('stores the hash with purpose, account, times; findHolder finds the holder of a live token, expiry exclusive', async () => {
    const [a] = await twoUsers();
    await tokens().issue('password_reset', a.id, sha256('tok'), T0 + HOUR, T0, REPLACE);
    expect(await rows(storage())).toEqual([{ purpose: 'password_reset', user_id: a.id, token_hash: sha256('tok'), created_at: T0, expires_at: T0 + HOUR, consumed_at: null }]);
    expect(await tokens().findHolder('password_reset', sha256('tok'), T0)).toEqual(a);
    expect((await tokens().findHolder('password_reset', sha256('tok'), T0 + HOUR - 1))?.id).toBe(a.id);
    expect(await tokens().findHolder('password_reset', sha256('tok'), T0 + HOUR)).toBeUndefined();
    expect(await tokens().findHolder('password_reset', sha256('other'), T0)).toBeUndefined();
  });

  it('a new token replaces the earlier one of the same account, and leaves other accounts\' tokens alone', async () => {
    const [a, b] = await twoUsers();
    await tokens().issue('password_reset', a.id, sha256('first'), T0 + HOUR, T0, REPLACE);
    await tokens().issue('password_reset', b.id, sha256('theirs'), T0 + HOUR, T0, REPLACE);
    await tokens().issue('password_reset', a.id, sha256('second'), T0 + HOUR, T0, REPLACE);
    expect(await tokens().findHolder('password_reset', sha256('first'), T0)).toBeUndefined();
    expect((await tokens().findHolder('password_reset', sha256('second'), T0))?.id).toBe(a.id);
    expect((await tokens().findHolder('password_reset', sha256('theirs'), T0))?.id).toBe(b.id);
    // Without replace, both stay live.
    await tokens().issue('password_reset', b.id, sha256('theirs-2'), T0 + HOUR, T0, { replace: false });
    expect((await tokens().findHolder('password_reset', sha256('theirs'), T0))?.id).toBe(b.id);
  });

  it('refuses a second token under the same hash (the hash is unique)', async () => {
    const [a, b] = await twoUsers();
    await tokens().issue('password_reset', a.id, sha256('tok'), T0 + HOUR, T0, REPLACE);
    await expect(tokens().issue('password_reset', b.id, sha256('tok'), T0 + HOUR, T0, REPLACE)).rejects.toThrow();
  });

  it('consume spends a live token once; an expired, wrong or other account\'s token is refused and stays as it was', async () => {
    const [a, b] = await twoUsers();
    await tokens().issue('password_reset', a.id, sha256('tok'), T0 + HOUR, T0, REPLACE);
    expect(await tokens().consume('password_reset', a.id, sha256('tok'), T0 + HOUR)).toBe(false);
    expect(await tokens().consume('password_reset', a.id, sha256('wrong'), T0)).toBe(false);
    expect(await tokens().consume('password_reset', b.id, sha256('tok'), T0)).toBe(false);
    expect((await tokens().findHolder('password_reset', sha256('tok'), T0))?.id).toBe(a.id);

    expect(await tokens().consume('password_reset', a.id, sha256('tok'), T0 + 5)).toBe(true);
    expect(await tokens().consume('password_reset', a.id, sha256('tok'), T0 + 6)).toBe(false);
    expect(await tokens().findHolder('password_reset', sha256('tok'), T0)).toBeUndefined();
    expect(await rows(storage())).toEqual([expect.objectContaining({ token_hash: sha256('tok'), consumed_at: T0 + 5 })]);
  });

  it('lets only one of several concurrent consumes of one token win', async () => {
    const [a] = await twoUsers();
    await tokens().issue('password_reset', a.id, sha256('tok'), T0 + HOUR, T0, REPLACE);
    const results = await Promise.all(Array.from({ length: 6 }, () => tokens().consume('password_reset', a.id, sha256('tok'), T0)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('revokeAllOfUser deletes the account\'s unspent tokens only', async () => {
    const [a, b] = await twoUsers();
    await tokens().issue('password_reset', a.id, sha256('mine'), T0 + HOUR, T0, REPLACE);
    await tokens().issue('password_reset', b.id, sha256('theirs'), T0 + HOUR, T0, REPLACE);
    expect(await tokens().revokeAllOfUser('password_reset', a.id)).toBe(1);
    expect(await tokens().findHolder('password_reset', sha256('mine'), T0)).toBeUndefined();
    expect((await tokens().findHolder('password_reset', sha256('theirs'), T0))?.id).toBe(b.id);
  });

  it('purgeExpired deletes tokens past their expiry, spent or not, and says how many', async () => {
    const [a, b] = await twoUsers();
    await tokens().issue('password_reset', a.id, sha256('dead'), T0, T0 - HOUR, REPLACE);
    await tokens().issue('password_reset', b.id, sha256('spent'), T0, T0 - HOUR, REPLACE);
    await tokens().consume('password_reset', b.id, sha256('spent'), T0 - 1);
    await tokens().issue('password_reset', b.id, sha256('live'), T0 + 1, T0 - HOUR, { replace: false });
    expect(await tokens().purgeExpired(T0)).toBe(2);
    expect((await rows(storage())).map((r) => (r as { token_hash: string }).token_hash)).toEqual([sha256('live')]);
    expect(await tokens().purgeExpired(T0)).toBe(0);
  });

  it('goes with its account: deleting a user deletes its tokens', async () => {
    const [a, b] = await twoUsers();
    await tokens().issue('password_reset', a.id, sha256('mine'), T0 + HOUR, T0, REPLACE);
    await tokens().issue('password_reset', b.id, sha256('theirs'), T0 + HOUR, T0, REPLACE);
    await storage().kysely.deleteFrom('users').where('id', '=', a.id).execute();
    expect((await rows(storage())).map((r) => (r as { user_id: number }).user_id)).toEqual([b.id]);
  });
});
