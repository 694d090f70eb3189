// Production without SMTP, with RESET_WEBHOOK_URL pointing at a receiver in the test: resets and verification
// messages reach it as Standard Webhooks calls (checked with the `standardwebhooks` reference library), carrying the
// link, the token and the code; a receiver answering 500 gets the same call again, same `webhook-id`; neither the
// token nor the code is ever logged. On both engines.
// Deterministic (issue 23): calls are waited for at the receiver, and "nothing for the unknown address" is read once the
// outbox has settled (every row delivered), not after a quiet moment.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { expect, it } from 'vitest';
import { webhookSecret } from '../../../src/modules/mail/webhook.js';
import { describeEngines } from '../../support/engines.js';
import { send } from '../../support/http.js';
import { TEST_SECRET_KEY } from '../../support/settings.js';
import { login, mailSettled, PRODUCTION_PROFILE_TIMEOUT_MS, register, startMailService, stopAfter, until, verify, type MailService } from './harness.js';

/** One call as the receiver got it. */
interface Call {
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** A receiver answering each call with `status(index)`, stopped after the test. */
async function startReceiver(status: (index: number) => number): Promise<{ url: string; calls: Call[] }> {
  const calls: Call[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) if (typeof value === 'string') headers[name] = value;
      calls.push({ headers, body: Buffer.concat(chunks).toString('utf8') });
      response.statusCode = status(calls.length - 1);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stopAfter({
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mailer`, calls };
}

const PASSWORD = 'the quiet librarian hums at noon';
/** The production password check is cut off after 2 s; a shared, busy 2-core machine needs longer for the first one. */
const SLOW_MACHINE = { PASSWORD_CHECK_TIMEOUT: '30s', PASSWORD_CHECK_CLIENT_BUDGET: '60s' };

describeEngines('the signed webhook as the mail channel', (engine) => {
  /** Production, no SMTP, messages to the receiver. */
  function start(url: string, env: Readonly<Record<string, string>> = {}): Promise<MailService> {
    return startMailService(
      { SESAME_PROFILE: 'production', SECRET_KEY: TEST_SECRET_KEY, BCRYPT_COST: '10', RESET_TOKEN_DELIVERY: 'webhook', RESET_WEBHOOK_URL: url, RATE_LIMIT_IP_MAX: '10000', ...SLOW_MACHINE, ...env },
      { engine: engine.name, omit: ['MAIL_FROM', 'RATE_LIMIT_ENABLED'] },
    );
  }

  /** The call's JSON once the reference library accepts its signature (it throws otherwise). */
  function checked(service: MailService, call: Call): Record<string, unknown> {
    const wh = new Webhook(webhookSecret(service.sesame.secret));
    return wh.verify(call.body, call.headers) as Record<string, unknown>;
  }

  it('verification and reset go out as signed calls; a 500 gets the same call again with the same webhook-id; link, token and code work', async () => {
    const receiver = await startReceiver((index) => (index === 0 ? 500 : 204));
    const service = await start(receiver.url);
    const registered = await register(service.url, 'Hook.Owner@Example.io', PASSWORD);
    expect(registered.status, registered.text).toBe(200);
    await until(() => receiver.calls.length >= 2, 'the retried verification call');
    const [first, retry] = receiver.calls as [Call, Call];
    expect(retry.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(first.headers['webhook-id']).toMatch(/^msg_\d+$/);
    expect(retry.body).toBe(first.body);
    expect(first.headers['content-type']).toBe('application/json');
    const verification = checked(service, retry);
    expect(checked(service, first)).toEqual(verification);
    expect(verification).toMatchObject({ type: 'email_verify', email: 'hook.owner@example.io', language: 'en', expires_in_minutes: 24 * 60 });
    expect(verification).not.toHaveProperty('reset_token');
    const verifyToken = verification['token'] as string;
    expect(verification['link']).toBe(`https://auth.example.com/sesame/account/verify?token=${encodeURIComponent(verifyToken)}`);
    expect(verification['code']).toMatch(/^\d{4}-\d{4}$/);
    // A tampered body is refused by the reference library.
    expect(() => checked(service, { headers: retry.headers, body: retry.body.replace('hook.owner', 'hook.thief') })).toThrow();

    // Verification is required by default in production.
    expect((await login(service.url, 'hook.owner@example.io', PASSWORD)).message).toBe('email not verified');
    expect((await verify(service.url, { email: 'hook.owner@example.io', code: verification['code'] as string })).json).toEqual({
      email: 'hook.owner@example.io',
      message: 'email verified',
    });
    expect((await login(service.url, 'hook.owner@example.io', PASSWORD)).status).toBe(200);

    const asked = await send(service.url, 'POST', '/reset_password', { form: { email: 'HOOK.OWNER@example.io' } });
    expect(asked.json).toEqual({ email: 'HOOK.OWNER@example.io', message: 'if this email is registered, reset instructions have been sent' });
    await until(() => receiver.calls.length >= 3, 'the reset call');
    const resetCall = receiver.calls[2] as Call;
    expect(resetCall.headers['webhook-id']).not.toBe(first.headers['webhook-id']);
    const reset = checked(service, resetCall);
    expect(reset).toMatchObject({ type: 'password_reset', email: 'hook.owner@example.io', expires_in_minutes: 30 });
    const resetToken = reset['reset_token'] as string;
    expect(reset['token']).toBe(resetToken);
    expect(resetToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(reset['link']).toBe(`https://auth.example.com/sesame/account/reset?token=${encodeURIComponent(resetToken)}`);
    expect(reset['code']).toMatch(/^\d{4}-\d{4}$/);
    expect((await send(service.url, 'POST', '/reset_password', { form: { email: 'nobody@example.io' } })).json).toMatchObject({ email: 'nobody@example.io' });

    const done = await send(service.url, 'PUT', '/reset_password', { form: { email: 'hook.owner@example.io', reset_token: reset['code'] as string, new_password: 'a brand new quiet passphrase' } });
    expect(done.status).toBe(200);
    expect((await login(service.url, 'hook.owner@example.io', 'a brand new quiet passphrase')).status).toBe(200);
    // The "password changed" notice goes the same way.
    await until(() => receiver.calls.length >= 4, 'the password-changed call');
    expect(checked(service, receiver.calls[3] as Call)).toMatchObject({ type: 'password_changed', email: 'hook.owner@example.io', how: 'reset' });
    // Nothing for the unknown address: no message was queued for it, and everything queued has been delivered.
    const settled = await mailSettled(service);
    expect(settled.map((row) => [row.kind, row.status])).toEqual([
      ['email_verify', 'sent'],
      ['password_reset', 'sent'],
      ['password_changed', 'sent'],
    ]);
    expect(receiver.calls).toHaveLength(4);
    expect(receiver.calls.map((call) => (JSON.parse(call.body) as { email: string }).email)).not.toContain('nobody@example.io');

    for (const secret of [verifyToken, verification['code'] as string, resetToken, reset['code'] as string]) expect(service.logs()).not.toContain(secret);
    expect(service.logs()).not.toContain(encodeURIComponent(verifyToken));
  }, PRODUCTION_PROFILE_TIMEOUT_MS);

  it('a sign-up for a taken address answers as the first did and sends the owner a signed notice with the sign-in and forgotten-password links; a resend reaches the webhook too', async () => {
    // Production refuses REQUIRE_EMAIL_VERIFICATION=false, so a taken address is answered as a new one.
    const receiver = await startReceiver(() => 204);
    const service = await start(receiver.url);
    const first = await register(service.url, 'taken@example.io', PASSWORD);
    const again = await register(service.url, 'taken@example.io', 'another quiet librarian reads at dusk');
    expect(first.status, first.text).toBe(200);
    expect([again.status, again.json]).toEqual([first.status, first.json]);
    await until(() => receiver.calls.length >= 2, 'the verification and the notice calls');
    const [verification, notice] = receiver.calls.map((call) => checked(service, call));
    expect(verification).toMatchObject({ type: 'email_verify', email: 'taken@example.io' });
    expect(notice).toEqual({
      type: 'registration_attempt',
      email: 'taken@example.io',
      language: 'en',
      sign_in_link: 'https://auth.example.com/sesame/account/login',
      forgot_password_link: 'https://auth.example.com/sesame/account/forgot',
    });
    expect((await login(service.url, 'taken@example.io', PASSWORD)).message).toBe('email not verified');
    expect((await send(service.url, 'POST', '/email/verify/resend', { json: { email: 'taken@example.io' } })).status).toBe(200);
    await until(() => receiver.calls.length >= 3, 'the resent verification call');
    expect(checked(service, receiver.calls.at(-1) as Call)).toMatchObject({ type: 'email_verify', email: 'taken@example.io' });
  }, PRODUCTION_PROFILE_TIMEOUT_MS);
});
