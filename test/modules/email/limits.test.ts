/**
 * The email routes under the rate limits, over HTTP on both engines (SECURITY.md V6.1.1, V6.3.1 and V2.4.1 count
 * them among the limited routes, and no test said so; issue 25): `PUT /email` checks the current password, so it
 * draws on the account's one password-guessing budget with login, `PUT /password`, `POST /sessions/end` and
 * `DELETE /profile` (a stolen cookie buys no guesses of its own there); `POST /email/verify/resend` sends mail on an
 * address alone, so it is limited per client, and a refused request sends nothing.
 * @module
 */
import { expect, it } from 'vitest';
import { describeEngines } from '../../support/engines.js';
import { send } from '../../support/http.js';
import { login, nthMail, outboxRows, receiver, startMailService, useCleanup } from './harness.js';

useCleanup();

const PASSWORD = 'a long enough passphrase';

describeEngines('email routes under the rate limits', (engine) => {
  it('PUT /email draws on the password-guessing budget: wrong passwords there lock the login out for that client', async () => {
    const smtp = await receiver();
    const service = await startMailService(
      { SMTP_URL: smtp.url, RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_ACCOUNT_MAX: '2', RATE_LIMIT_IP_MAX: '1000' },
      { engine: engine.name },
    );
    await service.sesame.password.registration.register('mover@example.io', PASSWORD, undefined, { emailVerifiedAt: Date.now() });
    const sessionId = (await login(service.url, 'mover@example.io', PASSWORD)).sessionId ?? '';
    for (let i = 0; i < 2; i += 1) {
      const wrong = await send(service.url, 'PUT', '/email', { sessionId, json: { password: `not it ${i}`, new_email: 'elsewhere@example.io' } });
      expect(wrong.status).toBe(403);
    }
    // The budget is spent: the right password is refused too, on PUT /email and on a login from this client.
    const right = await send(service.url, 'PUT', '/email', { sessionId, json: { password: PASSWORD, new_email: 'elsewhere@example.io' } });
    expect(right.status).toBe(429);
    expect(right.headers['retry-after']).toMatch(/^\d+$/);
    const loggedIn = await send(service.url, 'POST', '/sessions', { form: { email: 'mover@example.io', password: PASSWORD } });
    expect(loggedIn.status).toBe(429);
    expect(smtp.received).toHaveLength(0);
    expect(await outboxRows(service.sesame)).toEqual([]);
    expect((await service.sesame.accounts.find('mover@example.io'))?.email).toBe('mover@example.io');
  });

  it('POST /email/verify/resend answers 429 past RATE_LIMIT_IP_MAX, and the refused request sends nothing', async () => {
    const smtp = await receiver();
    // An hour's window: the count cannot lapse while the test waits for the two messages on a busy machine.
    const service = await startMailService({ SMTP_URL: smtp.url, RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_IP_MAX: '2', RATE_LIMIT_IP_WINDOW: '1h' }, { engine: engine.name });
    await service.sesame.password.registration.register('late@example.io', PASSWORD);
    for (let i = 0; i < 2; i += 1) expect((await send(service.url, 'POST', '/email/verify/resend', { form: { email: 'late@example.io' } })).status).toBe(200);
    await nthMail(smtp, 2);
    const refused = await send(service.url, 'POST', '/email/verify/resend', { form: { email: 'late@example.io' } });
    expect(refused.status).toBe(429);
    expect(refused.headers['sesame-error']).toBe('rate_limit.exceeded');
    // A third message would have been allowed by the resend cap (3 an hour): only the limit stopped it.
    const queued = await service.sesame.storage.kysely.selectFrom('mail_outbox').select('id').execute();
    expect(queued).toHaveLength(2);
  });
});
