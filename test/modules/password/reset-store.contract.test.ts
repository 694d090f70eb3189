// The ResetTokenStore port's contract, on SQLite (a temp file) and PostgreSQL (a schema): one live token per account,
// stored as its hash, spent once, expiring, purged. (Setting the new password and ending sessions in the same
// transaction is the reset flow's job: see test/seed/auth.test.ts, "reset tokens".)
import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { UserColumnResetTokenStore, type ResetTokenStore } from '../../../src/modules/password/index.js';
import type { User } from '../../../src/modules/users/index.js';
import { DB } from '../../../src/seed/db.js';
import { describeEngines, useFreshStorage, type TestStorage } from '../../support/engines.js';

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

/** SHA-256 hex of a string, the shape of every stored token. */
function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Every row of every table a token could be written to, serialised. */
async function dump(storage: TestStorage): Promise<string> {
  return JSON.stringify(await storage.kysely.selectFrom('users').selectAll().execute());
}

describeEngines('ResetTokenStore', (engine) => {
  const storage = useFreshStorage(engine);
  const tokens = (): ResetTokenStore => new UserColumnResetTokenStore(storage().kysely);
  const db = (): DB => DB.fromStorage(storage());
  /** Two accounts to issue tokens to. */
  async function twoUsers(): Promise<[User, User]> {
    return [await db().addUser('a@x.io', 'ha', T0), await db().addUser('b@x.io', 'hb', T0)];
  }

  it('findHolder finds the holder of a live token and honours expiry (exclusive)', async () => {
    const [a] = await twoUsers();
    await tokens().issue(a.id, sha256('tok'), T0 + HOUR, T0);
    expect((await tokens().findHolder(sha256('tok'), T0))?.id).toBe(a.id);
    expect((await tokens().findHolder(sha256('tok'), T0 + HOUR - 1))?.id).toBe(a.id);
    expect(await tokens().findHolder(sha256('tok'), T0 + HOUR)).toBeUndefined();
    expect(await tokens().findHolder(sha256('other'), T0)).toBeUndefined();
    expect(await dump(storage())).toContain(sha256('tok'));
  });

  it('a new token replaces the earlier one of the same account, and leaves other accounts\' tokens alone', async () => {
    const [a, b] = await twoUsers();
    await tokens().issue(a.id, sha256('first'), T0 + HOUR, T0);
    await tokens().issue(b.id, sha256('theirs'), T0 + HOUR, T0);
    await tokens().issue(a.id, sha256('second'), T0 + HOUR, T0);
    expect(await tokens().findHolder(sha256('first'), T0)).toBeUndefined();
    expect((await tokens().findHolder(sha256('second'), T0))?.id).toBe(a.id);
    expect((await tokens().findHolder(sha256('theirs'), T0))?.id).toBe(b.id);
  });

  it('consume spends a live token once; an expired, wrong or other account\'s token is refused and stays as it was', async () => {
    const [a, b] = await twoUsers();
    await tokens().issue(a.id, sha256('tok'), T0 + HOUR, T0);
    expect(await tokens().consume(a.id, sha256('tok'), T0 + HOUR)).toBe(false);
    expect(await tokens().consume(a.id, sha256('wrong'), T0)).toBe(false);
    expect(await tokens().consume(b.id, sha256('tok'), T0)).toBe(false);
    expect((await tokens().findHolder(sha256('tok'), T0))?.id).toBe(a.id);

    expect(await tokens().consume(a.id, sha256('tok'), T0)).toBe(true);
    expect(await tokens().consume(a.id, sha256('tok'), T0)).toBe(false);
    expect(await tokens().findHolder(sha256('tok'), T0)).toBeUndefined();
  });

  it('lets only one of several concurrent consumes of one token win', async () => {
    const [a] = await twoUsers();
    await tokens().issue(a.id, sha256('tok'), T0 + HOUR, T0);
    const results = await Promise.all(Array.from({ length: 6 }, () => tokens().consume(a.id, sha256('tok'), T0)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('revokeAllOfUser drops the account\'s token only', async () => {
    const [a, b] = await twoUsers();
    await tokens().issue(a.id, sha256('mine'), T0 + HOUR, T0);
    await tokens().issue(b.id, sha256('theirs'), T0 + HOUR, T0);
    await tokens().revokeAllOfUser(a.id, T0);
    expect(await tokens().findHolder(sha256('mine'), T0)).toBeUndefined();
    expect((await tokens().findHolder(sha256('theirs'), T0))?.id).toBe(b.id);
  });

  it('purgeExpired removes expired tokens only and says how many', async () => {
    const [a, b] = await twoUsers();
    await tokens().issue(a.id, sha256('dead'), T0, T0 - HOUR);
    await tokens().issue(b.id, sha256('live'), T0 + 1, T0 - HOUR);
    expect(await tokens().purgeExpired(T0)).toBe(1);
    expect(await tokens().findHolder(sha256('live'), T0)).toBeDefined();
    expect(await tokens().purgeExpired(T0)).toBe(0);
    expect(await dump(storage())).not.toContain(sha256('dead'));
  });
});
