// Migration 0007 on both engines, from the schema as it stood before the kernel issue (migrations up to 0003: reset
// tokens in users.reset_token) and from the one just before 0007 (sessions already ending with reasons): a live reset
// token moves to verification_tokens and still resets the password, a dead one does not move, users loses its two
// columns, and a session a reset ended still gets the seed's logout redirect.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { BcryptHasher, InvalidResetTokenError } from '../../../src/modules/password/index.js';
import { describeEngines } from '../../support/engines.js';
import { buildSesame } from '../../support/in-process.js';

const HOUR = 3_600_000;

/** SHA-256 hex, how tokens and session ids are stored. */
function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

describeEngines('migration 0007_verification_tokens', (engine) => {
  describe.each([
    { from: '0003_session_last_used', endedByReset: false },
    { from: '0006_auth_events', endedByReset: true },
  ])('from $from', ({ from, endedByReset }) => {
    it('moves the live reset token, drops users.reset_token*, and the flows work on the moved data', async () => {
      const now = Date.now();
      const old = await engine.open({ upTo: from });
      const raw = old.kysely as unknown as Kysely<Record<string, Record<string, unknown>>>;
      const hash = await new BcryptHasher(4).hash('old password');
      await raw
        .insertInto('users')
        .values([
          { email: 'a@x.io', hashed_password: hash, reset_token: sha256('live-token'), reset_token_expires_at: now + HOUR, created_at: now - HOUR, updated_at: now - 60_000 },
          { email: 'b@x.io', hashed_password: hash, reset_token: sha256('dead-token'), reset_token_expires_at: now - 1, created_at: now - HOUR, updated_at: now - HOUR },
        ])
        .execute();
      const a = (await raw.selectFrom('users').select('id').where('email', '=', 'a@x.io').executeTakeFirstOrThrow()) as { id: number };
      await raw.insertInto('sessions').values({ id_hash: sha256('laptop'), user_id: a.id, created_at: now - HOUR, expires_at: now + HOUR }).execute();
      if (endedByReset) {
        await raw
          .insertInto('sessions')
          .values({ id_hash: sha256('phone'), user_id: a.id, created_at: now - HOUR, expires_at: now + HOUR, ended_at: now - 10, end_reason: 'password_reset' })
          .execute();
      }
      await old.detach();

      const storage = await old.reopen();
      const sesame = await buildSesame(storage);
      try {
        expect(await storage.kysely.selectFrom('verification_tokens').select(['purpose', 'user_id', 'token_hash', 'created_at', 'expires_at', 'consumed_at']).execute()).toEqual([
          { purpose: 'password_reset', user_id: a.id, token_hash: sha256('live-token'), created_at: now - 60_000, expires_at: now + HOUR, consumed_at: null },
        ]);
        await expect(raw.selectFrom('users').select('reset_token').execute()).rejects.toThrow();
        await expect(raw.selectFrom('users').select('reset_token_expires_at').execute()).rejects.toThrow();
        const columns = Object.keys((await storage.kysely.selectFrom('users').selectAll().executeTakeFirstOrThrow()) as object).sort();
        expect(columns).toEqual(['created_at', 'credential_version', 'disabled_at', 'disabled_reason', 'email', 'email_verified_at', 'hashed_password', 'id', 'language', 'updated_at']);

        if (endedByReset) expect(await sesame.sessions.logout('phone')).toEqual({ outcome: 'ended-by-credential-change', reason: 'password_reset' });
        await expect(sesame.password.reset.reset('dead-token', 'new password', 'b@x.io')).rejects.toBeInstanceOf(InvalidResetTokenError);
        await sesame.password.reset.reset('live-token', 'new password', 'a@x.io');
        expect(await sesame.password.login.verify('a@x.io', 'new password')).not.toBeNull();
        expect(await sesame.password.login.verify('a@x.io', 'old password')).toBeNull();
        // The reset ended the session that existed before the upgrade; its owner logging out still lands on the home page.
        expect(await sesame.sessions.validate('laptop')).toBeNull();
        expect(await sesame.sessions.logout('laptop')).toEqual({ outcome: 'ended-by-credential-change', reason: 'password_reset' });
        await expect(sesame.password.reset.reset('live-token', 'newer password', 'a@x.io')).rejects.toBeInstanceOf(InvalidResetTokenError);
      } finally {
        await sesame.close();
        await storage.close();
      }
    });
  });
});
