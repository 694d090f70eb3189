// A login in flight never outlives the owner's remedy, on both engines (security review findings 2 and 3): a login
// whose password check finished before a password change or reset committed creates no session, and its re-hash of
// the old password (after BCRYPT_COST was raised) never overwrites the new password. The test holds the login between
// its bcrypt work and its write, lets the change commit, then releases it: the race is decided by the database.
import { beforeEach, expect, it } from 'vitest';
import type { Sesame } from '../../../src/sesame.js';
import { GatedHasher } from '../../support/doubles.js';
import { describeEngines, useFreshStorage } from '../../support/engines.js';
import { useServices } from '../../support/in-process.js';

const EMAIL = 'owner@x.io';

describeEngines('credential races', (engine) => {
  const storage = useFreshStorage(engine);
  const build = useServices(storage, { BCRYPT_COST: '4' }, Date.now);
  let owner: Sesame;
  beforeEach(async () => {
    owner = await build();
    await owner.password.registration.register(EMAIL, 'stolen password');
  });

  /** Live sessions of the account, read from the table. */
  async function liveSessions(): Promise<number> {
    const rows = await storage().kysely.selectFrom('sessions').select('id_hash').where('ended_at', 'is', null).execute();
    return rows.length;
  }

  it.each(['reset', 'change'] as const)('a login checked against the old password creates no session once a password %s has committed', async (remedy) => {
    const hasher = new GatedHasher(4);
    const attacker = await build({}, hasher);
    const held = hasher.arm('verify', 'stolen password');
    const login = attacker.password.login.login(EMAIL, 'stolen password', undefined);
    await held.reached;
    // The owner's remedy commits while the attacker's login is past its password check.
    if (remedy === 'reset') {
      const issued = await owner.password.reset.request(EMAIL);
      await owner.password.reset.reset(issued?.token ?? '', 'the owner changed it', EMAIL);
    } else {
      const ownSession = await owner.password.login.login(EMAIL, 'stolen password', undefined);
      const checked = await owner.sessions.validate(ownSession?.sessionId);
      if (checked === null) throw new Error('the owner should be signed in');
      expect(await owner.password.change.change(checked, 'stolen password', 'the owner changed it')).not.toBeNull();
    }
    const sessionsAfterRemedy = await liveSessions();
    held.release();
    expect(await login).toBeNull();
    expect(await liveSessions()).toBe(sessionsAfterRemedy);
    const [failed] = await owner.audit.list({ type: 'login.failed' });
    expect(failed?.detail).toBe('{"reason":"credential-changed"}');
    expect(failed?.user_id).toBe((await owner.users.findByEmail(EMAIL))?.id);
    // The password the attacker knows is gone; the owner's works.
    expect(await owner.password.login.verify(EMAIL, 'stolen password')).toBeNull();
    expect(await owner.password.login.verify(EMAIL, 'the owner changed it')).not.toBeNull();
  });

  it('the re-hash after a login never restores the old password over a reset that committed meanwhile', async () => {
    const hasher = new GatedHasher(5);
    // BCRYPT_COST was raised: this instance re-hashes the cost-4 hash of the account at its next login.
    const upgraded = await build({ BCRYPT_COST: '5' }, hasher);
    const held = hasher.arm('hash', 'stolen password');
    const login = upgraded.password.login.login(EMAIL, 'stolen password', undefined);
    await held.reached;
    const issued = await owner.password.reset.request(EMAIL);
    await owner.password.reset.reset(issued?.token ?? '', 'the owner changed it', EMAIL);
    const afterReset = (await owner.users.findByEmail(EMAIL))?.hashed_password;
    held.release();
    expect(await login).toBeNull();
    expect((await owner.users.findByEmail(EMAIL))?.hashed_password).toBe(afterReset);
    expect(await owner.password.login.verify(EMAIL, 'stolen password')).toBeNull();
    expect(await owner.password.login.verify(EMAIL, 'the owner changed it')).not.toBeNull();
  });

  it('without a race, the re-hash is stored and the login succeeds', async () => {
    const upgraded = await build({ BCRYPT_COST: '5' });
    expect(await upgraded.password.login.login(EMAIL, 'stolen password', undefined)).not.toBeNull();
    expect((await owner.users.findByEmail(EMAIL))?.hashed_password).toMatch(/^\$2[aby]\$05\$/);
    expect(await liveSessions()).toBe(1);
  });
});
