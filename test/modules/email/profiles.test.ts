// Which profiles verify addresses, on both engines: development with nothing configured keeps the seed's flow (no
// token written, nothing sent, login at once); registration sends verification mail only when verification is
// required (mail set up with MAIL_FROM alone sends none, but a resend does); production requires it and refuses to
// start with REQUIRE_EMAIL_VERIFICATION=false.
// Deterministic (issue 23): "no message" is read from the outbox, written in the transaction of the change it
// announces, and the receiver is counted once the strict instance, the only one with mail, has stopped.
import { expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { describeEngines } from '../../support/engines.js';
import { send } from '../../support/http.js';
import { TEST_SECRET_KEY } from '../../support/settings.js';
import { login, nthMail, outboxRows, PRODUCTION_PROFILE_TIMEOUT_MS, receiver, register, startMailService, subjectOf, useCleanup, type MailService } from './harness.js';

useCleanup();

const PASSWORD = 'the quiet librarian hums at noon';

describeEngines('email verification by profile', (engine) => {
  /** Rows of `verification_tokens` by purpose. */
  async function tokenPurposes(service: MailService): Promise<string[]> {
    const rows = await service.sesame.storage.kysely.selectFrom('verification_tokens').select('purpose').orderBy('id').execute();
    return rows.map((row) => row.purpose);
  }

  it('development with nothing configured: registration writes no token and sends nothing; login works at once; resets come back in the body', async () => {
    const service = await startMailService({}, { engine: engine.name, omit: ['MAIL_FROM', 'PUBLIC_URL'] });
    expect(service.sesame.email.requireVerification).toBe(false);
    expect((await register(service.url, 'seed@example.io', 'pw')).json).toEqual({ email: 'seed@example.io', message: 'user created' });
    expect(await tokenPurposes(service)).toEqual([]);
    expect(await outboxRows(service.sesame)).toEqual([]);
    const signedIn = await login(service.url, 'seed@example.io', 'pw');
    expect(signedIn.status).toBe(200);
    expect((await send(service.url, 'GET', '/profile', { sessionId: signedIn.sessionId ?? '' })).json).toEqual({ email: 'seed@example.io' });
    const reset = await send(service.url, 'POST', '/reset_password', { form: { email: 'seed@example.io' } });
    expect(reset.json).toMatchObject({ email: 'seed@example.io', reset_token: expect.any(String) as unknown });
    expect(await outboxRows(service.sesame)).toEqual([]);
  });

  it('development with MAIL_FROM set: registration sends nothing, a resend sends the verification message, login does not wait for it', async () => {
    const service = await startMailService({}, { engine: engine.name });
    expect((await register(service.url, 'mailed@example.io', 'pw')).status).toBe(200);
    expect(await tokenPurposes(service)).toEqual([]);
    expect((await send(service.url, 'POST', '/email/verify/resend', { form: { email: 'mailed@example.io' } })).status).toBe(200);
    expect(await tokenPurposes(service)).toEqual(['email_verify']);
    expect((await outboxRows(service.sesame)).map((row) => [row.kind, row.recipient, row.channel])).toEqual([['email_verify', 'mailed@example.io', 'email']]);
    expect((await login(service.url, 'mailed@example.io', 'pw')).status).toBe(200);
  });

  it('development with REQUIRE_EMAIL_VERIFICATION=true and no MAIL_FROM: the message goes to the .eml outbox and login waits', async () => {
    const service = await startMailService({ REQUIRE_EMAIL_VERIFICATION: 'true' }, { engine: engine.name, omit: ['MAIL_FROM'] });
    expect((await register(service.url, 'strict@example.io', 'pw')).status).toBe(200);
    expect((await outboxRows(service.sesame)).map((row) => row.kind)).toEqual(['email_verify']);
    expect((await login(service.url, 'strict@example.io', 'pw')).message).toBe('email not verified');
  });

  it('production requires verification, and refuses to start with REQUIRE_EMAIL_VERIFICATION=false', async () => {
    const smtp = await receiver();
    const production = {
      SESAME_PROFILE: 'production',
      SECRET_KEY: TEST_SECRET_KEY,
      BCRYPT_COST: '10',
      SMTP_URL: smtp.url,
      RESET_TOKEN_DELIVERY: 'email',
      RATE_LIMIT_IP_MAX: '10000',
      PASSWORD_CHECK_TIMEOUT: '30s',
      PASSWORD_CHECK_CLIENT_BUDGET: '60s',
    };
    const strict = await startMailService(production, { engine: engine.name, omit: ['RATE_LIMIT_ENABLED'] });
    const first = await register(strict.url, 'prod@example.io', PASSWORD);
    expect(first.status, first.text).toBe(200);
    const refused = await login(strict.url, 'prod@example.io', PASSWORD);
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ message: 'email not verified' });
    expect(refused.setCookies.some((line) => line.includes('session_id=') && !/max-age=0/i.test(line))).toBe(false);
    expect(subjectOf(await nthMail(smtp, 1))).toBe('Confirm your email address');
    await strict.stop();

    // Without verification a sign-up would have to say "email already registered": production will not start so.
    expect(() => loadConfig({ ...production, MAIL_FROM: 'auth@example.com', REQUIRE_EMAIL_VERIFICATION: 'false' })).toThrow(
      /SESAME_PROFILE=production refuses an unsafe setting: set REQUIRE_EMAIL_VERIFICATION=true/,
    );
    expect(smtp.received).toHaveLength(1);
  }, PRODUCTION_PROFILE_TIMEOUT_MS);
});
