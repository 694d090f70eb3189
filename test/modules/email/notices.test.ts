// Mail language, security notices and the per-recipient limit over HTTP on both engines, with a real SMTP receiver:
// a French browser gets French mail until the owner picks English; a password change and a reset each mail "password
// changed"; NOTIFY_NEW_SIGN_IN mails each sign-in with its User-Agent (and is off by default); MAIL_RECIPIENT_HOURLY_MAX
// holds back repeated reset mail to one address while every answer stays the same, but never a security notice.
// Deterministic (issue 23): "nothing else was mailed" is read once the outbox has settled (every row sent, and rows
// are written in the transaction of the change they announce), not after a quiet moment.
import { expect, it } from 'vitest';
import { describeEngines } from '../../support/engines.js';
import { send } from '../../support/http.js';
import type { ReceivedMail } from '../../support/smtp.js';
import { headerOf, linkToken, login, mailSettled, mailsTo, nthMail, outboxRows, receiver, register, startMailService, subjectOf, useCleanup, verify } from './harness.js';

useCleanup();

const PASSWORD = 'a long enough passphrase';
const SENT = 'if this email is registered, reset instructions have been sent';

describeEngines('mail language and notices', (engine) => {
  /** A service mailing through a fresh receiver (resets by mail too). */
  async function start(env: Readonly<Record<string, string>> = {}) {
    const smtp = await receiver();
    const service = await startMailService({ SMTP_URL: smtp.url, RESET_TOKEN_DELIVERY: 'email', ...env }, { engine: engine.name });
    return { smtp, service };
  }

  it('a French browser gets French mail; PUT /profile/language switches the next mail to English; unknown languages are refused', async () => {
    const { smtp, service } = await start({ REQUIRE_EMAIL_VERIFICATION: 'true' });
    expect((await register(service.url, 'amelie@example.io', PASSWORD, { 'accept-language': 'fr-FR,fr;q=0.9' })).status).toBe(200);
    const welcome = await nthMail(smtp, 1);
    expect(subjectOf(welcome)).toBe('Confirmez votre adresse e-mail');
    expect(welcome.text).toContain('<html lang=3D"fr">'.replace('=3D', '='));
    expect(welcome.text).toContain('Ou saisissez ce code');
    expect((await verify(service.url, { token: linkToken(welcome) })).status).toBe(200);
    const sessionId = (await login(service.url, 'amelie@example.io', PASSWORD)).sessionId ?? '';

    for (const language of ['de', 'FR', 'fr-FR', '']) {
      const refused = await send(service.url, 'PUT', '/profile/language', { sessionId, json: { language } });
      expect(refused.status).toBe(400);
    }
    expect((await send(service.url, 'PUT', '/profile/language', { json: { language: 'en' } })).status).toBe(403);
    const stored = await service.sesame.storage.kysely.selectFrom('users').select('language').where('email', '=', 'amelie@example.io').executeTakeFirstOrThrow();
    expect(stored.language).toBe('fr');

    // Still French: a password change's notice.
    const first = await send(service.url, 'PUT', '/password', { sessionId, json: { password: PASSWORD, new_password: 'second long passphrase' } });
    expect(first.status).toBe(200);
    expect(subjectOf(await nthMail(smtp, 2))).toBe('Votre mot de passe a été modifié');

    const set = await send(service.url, 'PUT', '/profile/language', { sessionId: first.sessionId ?? '', json: { language: 'en' } });
    expect(set.status).toBe(200);
    expect(set.json).toEqual({ language: 'en' });
    const second = await send(service.url, 'PUT', '/password', { sessionId: first.sessionId ?? '', json: { password: 'second long passphrase', new_password: 'third long passphrase' } });
    expect(second.status).toBe(200);
    const english = await nthMail(smtp, 3);
    expect(subjectOf(english)).toBe('Your password was changed');
    expect(english.text).toContain('lang="en"');
    expect((await service.sesame.audit.list({ type: 'email.language_changed' })).map((event) => JSON.parse(event.detail ?? '{}') as unknown)).toEqual([{ language: 'en' }]);
  });

  it('a browser asking for no language we write, or none at all, gets English', async () => {
    const { smtp, service } = await start({ REQUIRE_EMAIL_VERIFICATION: 'true' });
    await register(service.url, 'hans@example.io', PASSWORD, { 'accept-language': 'de-DE,de;q=0.9' });
    await register(service.url, 'plain@example.io', PASSWORD);
    await nthMail(smtp, 2);
    expect(smtp.received.map((mail) => subjectOf(mail))).toEqual(['Confirm your email address', 'Confirm your email address']);
  });

  it('a password change and a reset each mail "password changed" to the account', async () => {
    const { smtp, service } = await start();
    // Verification is not required here, so registration owes no message: the first mail is the notice.
    await register(service.url, 'notified@example.io', PASSWORD);
    const sessionId = (await login(service.url, 'notified@example.io', PASSWORD)).sessionId ?? '';
    expect((await send(service.url, 'PUT', '/password', { sessionId, json: { password: PASSWORD, new_password: 'changed long passphrase' } })).status).toBe(200);
    const changed = await nthMail(smtp, 1);
    expect(changed.to).toEqual(['notified@example.io']);
    expect(subjectOf(changed)).toBe('Your password was changed');
    expect(changed.text).toContain('The password of your account was changed on');

    // A wrong current password changes nothing and mails nothing.
    expect((await send(service.url, 'PUT', '/password', { sessionId, json: { password: 'wrong wrong wrong', new_password: 'x long passphrase' } })).status).toBe(403);

    expect((await send(service.url, 'POST', '/reset_password', { form: { email: 'notified@example.io' } })).status).toBe(200);
    const resetMail = await nthMail(smtp, 2);
    expect(subjectOf(resetMail)).toBe('Reset your password');
    const reset = await send(service.url, 'PUT', '/reset_password', { form: { email: 'notified@example.io', reset_token: linkToken(resetMail, 'reset'), new_password: 'reset long passphrase' } });
    expect(reset.status).toBe(200);
    const afterReset = await nthMail(smtp, 3);
    expect(subjectOf(afterReset)).toBe('Your password was changed');
    expect(afterReset.text).toContain('was reset on');
    expect((await mailSettled(service)).map((row) => [row.kind, row.status])).toEqual([
      ['password_changed', 'sent'],
      ['password_reset', 'sent'],
      ['password_changed', 'sent'],
    ]);
    expect(smtp.received.map((mail) => subjectOf(mail))).toEqual(['Your password was changed', 'Reset your password', 'Your password was changed']);
  });

  it('NOTIFY_NEW_SIGN_IN=true mails each sign-in with its User-Agent; a failed login mails nothing', async () => {
    const { smtp, service } = await start({ NOTIFY_NEW_SIGN_IN: 'true' });
    await register(service.url, 'watched@example.io', PASSWORD);
    expect((await login(service.url, 'watched@example.io', 'wrong password here', { 'user-agent': 'WrongBrowser/9' })).status).toBe(401);
    const agent = 'SesameSuiteBrowser/4.2 (X11; Linux)';
    expect((await login(service.url, 'watched@example.io', PASSWORD, { 'user-agent': agent })).status).toBe(200);
    const notice = await nthMail(smtp, 1);
    expect(notice.to).toEqual(['watched@example.io']);
    expect(subjectOf(notice)).toBe('New sign-in to your account');
    expect(notice.text).toContain(agent);
    expect(notice.text).toContain('127.0.0.1');
    expect((await mailSettled(service)).map((row) => [row.kind, row.status])).toEqual([['new_sign_in', 'sent']]);
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received.some((mail) => mail.raw.includes('WrongBrowser'))).toBe(false);
  });

  it('sign-in notices are off by default', async () => {
    const { smtp, service } = await start();
    await register(service.url, 'quiet@example.io', PASSWORD);
    expect((await login(service.url, 'quiet@example.io', PASSWORD, { 'user-agent': 'QuietBrowser/1' })).status).toBe(200);
    // A notice would have been enqueued in the login's transaction, before it answered.
    expect((await outboxRows(service.sesame)).map((row) => row.kind)).toEqual([]);
    expect(await service.sesame.mail.dispatchDue()).toBe(0);
    expect(smtp.received).toHaveLength(0);
  });

  it('MAIL_RECIPIENT_HOURLY_MAX=2: repeated reset requests enqueue two messages, every answer the same; security notices still go', async () => {
    const { smtp, service } = await start({ MAIL_RECIPIENT_HOURLY_MAX: '2' });
    // Created verified, as an operator would: no verification mail counts against the limit.
    await service.sesame.password.registration.register('flooded@example.io', PASSWORD, undefined, { emailVerifiedAt: Date.now() });
    await service.sesame.password.registration.register('other@example.io', PASSWORD, undefined, { emailVerifiedAt: Date.now() });
    const answers = [];
    for (let i = 0; i < 5; i += 1) {
      const reply = await send(service.url, 'POST', '/reset_password', { form: { email: 'flooded@example.io' } });
      answers.push({ status: reply.status, text: reply.text });
    }
    expect(answers).toEqual(Array.from({ length: 5 }, () => ({ status: 200, text: JSON.stringify({ email: 'flooded@example.io', message: SENT }) })));
    const unknown = await send(service.url, 'POST', '/reset_password', { form: { email: 'nobody@example.io' } });
    expect(unknown.json).toEqual({ email: 'nobody@example.io', message: SENT });
    expect((await outboxRows(service.sesame)).map((row) => [row.kind, row.recipient])).toEqual([
      ['password_reset', 'flooded@example.io'],
      ['password_reset', 'flooded@example.io'],
    ]);
    // Another address has its own count.
    expect((await send(service.url, 'POST', '/reset_password', { form: { email: 'other@example.io' } })).status).toBe(200);
    // A password change's notice is never held back.
    const sessionId = (await login(service.url, 'flooded@example.io', PASSWORD)).sessionId ?? '';
    expect((await send(service.url, 'PUT', '/password', { sessionId, json: { password: PASSWORD, new_password: 'changed long passphrase' } })).status).toBe(200);
    const rows = await outboxRows(service.sesame);
    expect(rows.map((row) => [row.kind, row.recipient])).toEqual([
      ['password_reset', 'flooded@example.io'],
      ['password_reset', 'flooded@example.io'],
      ['password_reset', 'other@example.io'],
      ['password_changed', 'flooded@example.io'],
    ]);
    expect((await mailSettled(service)).map((row) => row.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
    expect(smtp.received).toHaveLength(4);
    expect(mailsTo(smtp, 'flooded@example.io').map((mail: ReceivedMail) => headerOf(mail.raw, 'subject'))).toEqual(['Reset your password', 'Reset your password', 'Your password was changed']);
  });
  // Security round 3, item 9: sign-in notices shared the recipient's hourly quota, so anonymous reset requests could
  // fill it and suppress them. Security notices now have their own bound, per kind and address
  // (MAIL_SECURITY_NOTICE_HOURLY_MAX), and neither wait for nor use up the shared quota.
  it('anonymous reset requests that fill the hourly quota do not suppress a sign-in notice', async () => {
    const { smtp, service } = await start({ MAIL_RECIPIENT_HOURLY_MAX: '2', NOTIFY_NEW_SIGN_IN: 'true' });
    await service.sesame.password.registration.register('watched@example.io', PASSWORD, undefined, { emailVerifiedAt: Date.now() });
    for (let i = 0; i < 4; i += 1) expect((await send(service.url, 'POST', '/reset_password', { form: { email: 'watched@example.io' } })).status).toBe(200);
    expect((await login(service.url, 'watched@example.io', PASSWORD, { 'user-agent': 'Intruder/1' })).status).toBe(200);
    expect((await outboxRows(service.sesame)).map((row) => row.kind)).toEqual(['password_reset', 'password_reset', 'new_sign_in']);
    const notice = (await nthMail(smtp, 3)).text;
    expect(notice).toContain('Intruder/1');
  });

  it('MAIL_SECURITY_NOTICE_HOURLY_MAX bounds each kind of notice per address per hour, apart from the shared quota', async () => {
    let now = Date.now();
    const smtp = await receiver();
    const service = await startMailService(
      { SMTP_URL: smtp.url, RESET_TOKEN_DELIVERY: 'email', MAIL_RECIPIENT_HOURLY_MAX: '2', MAIL_SECURITY_NOTICE_HOURLY_MAX: '2', NOTIFY_NEW_SIGN_IN: 'true' },
      { engine: engine.name, clock: () => now },
    );
    await service.sesame.password.registration.register('busy@example.io', PASSWORD, undefined, { emailVerifiedAt: now });
    for (let i = 0; i < 4; i += 1) expect((await login(service.url, 'busy@example.io', PASSWORD)).status).toBe(200);
    // Two sign-in notices of four sign-ins; they used none of the two messages the shared quota allows.
    for (let i = 0; i < 3; i += 1) await send(service.url, 'POST', '/reset_password', { form: { email: 'busy@example.io' } });
    expect((await outboxRows(service.sesame)).map((row) => row.kind)).toEqual(['new_sign_in', 'new_sign_in', 'password_reset', 'password_reset']);
    // Another kind has its own bound.
    const sessionId = (await login(service.url, 'busy@example.io', PASSWORD)).sessionId ?? '';
    expect((await send(service.url, 'PUT', '/password', { sessionId, json: { password: PASSWORD, new_password: 'changed long passphrase' } })).status).toBe(200);
    expect((await outboxRows(service.sesame)).map((row) => row.kind).filter((kind) => kind === 'password_changed')).toHaveLength(1);
    // An hour later the bound starts afresh.
    now += 3_600_001;
    expect((await login(service.url, 'busy@example.io', 'changed long passphrase')).status).toBe(200);
    expect((await outboxRows(service.sesame)).map((row) => row.kind).filter((kind) => kind === 'new_sign_in')).toHaveLength(3);
  });

  it('a change of address whose notice to the old address the bound would hold back is refused, and starts nothing', async () => {
    const { service } = await start({ MAIL_SECURITY_NOTICE_HOURLY_MAX: '1' });
    await service.sesame.password.registration.register('mover@example.io', PASSWORD, undefined, { emailVerifiedAt: Date.now() });
    const sessionId = (await login(service.url, 'mover@example.io', PASSWORD)).sessionId ?? '';
    expect((await send(service.url, 'PUT', '/email', { sessionId, json: { password: PASSWORD, new_email: 'first-new@example.io' } })).status).toBe(200);
    const second = await send(service.url, 'PUT', '/email', { sessionId, json: { password: PASSWORD, new_email: 'second-new@example.io' } });
    expect(second.status).toBe(429);
    expect(second.headers['sesame-error']).toBe('email.change_limited');
    // The first change is still the pending one; nothing was mailed for the second.
    const pending = await service.sesame.storage.kysely.selectFrom('verification_tokens').select('new_email').where('purpose', '=', 'email_change').execute();
    expect(pending).toEqual([{ new_email: 'first-new@example.io' }]);
    expect((await outboxRows(service.sesame)).map((row) => [row.kind, row.recipient])).toEqual([
      ['email_change_confirm', 'first-new@example.io'],
      ['email_change_notice', 'mover@example.io'],
    ]);
  });
});
