// The operator's remedies against a pending change of address, on both engines, over HTTP with a real SMTP receiver
// and the admin API on its own listener: someone who knows the password asks PUT /email to a mailbox of theirs; the
// operator then force-resets the account, disables it (and enables it again), ends its sessions or deletes it. The
// confirmation link and code mailed to that mailbox must then fail, and the owner's own reset (the force-reset's
// link, or a fresh one) must work. The owner's own POST /sessions/end is not a remedy: it leaves the change pending.
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { buildAdminServer } from '../../../src/surfaces/admin/server.js';
import { describeEngines } from '../../support/engines.js';
import { send, type Reply } from '../../support/http.js';
import type { ReceivedMail, SmtpReceiver } from '../../support/smtp.js';
import { codeOf, linkToken, login, mailsTo, nthMail, receiver, register, startMailService, stopAfter, subjectOf, until, useCleanup, verify, type MailService } from './harness.js';

useCleanup();

const PASSWORD = 'a long enough passphrase';
const OWNER_NEW_PASSWORD = 'the owner took it back';

/** The admin API over a running service, with a fresh token. */
interface Admin {
  /** POST (or DELETE) an admin route, with a JSON body when given; the reply. */
  call(method: 'POST' | 'DELETE', path: string, json?: unknown): Promise<Reply>;
}

describeEngines('operator remedies against a pending change of address', (engine) => {
  /** A service mailing resets, with one verified account signed in, and the admin API beside it. */
  async function start(email: string): Promise<{ smtp: SmtpReceiver; service: MailService; admin: Admin; id: number; sessionId: string }> {
    const smtp = await receiver();
    const service = await startMailService({ SMTP_URL: smtp.url, REQUIRE_EMAIL_VERIFICATION: 'true', RESET_TOKEN_DELIVERY: 'email' }, { engine: engine.name });
    expect((await register(service.url, email, PASSWORD)).status).toBe(200);
    expect((await verify(service.url, { token: linkToken(await nthMail(smtp, 1)) })).status).toBe(200);
    const signedIn = await login(service.url, email, PASSWORD);
    expect(signedIn.status).toBe(200);
    const app = await buildAdminServer(service.sesame);
    await app.listen({ port: 0, host: '127.0.0.1' });
    stopAfter({ stop: () => app.close() });
    const adminUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const { token } = await service.sesame.adminTokens.create('remedies test', { actor: 'cli:test' });
    const admin: Admin = { call: (method, path, json) => send(adminUrl, method, path, { headers: { authorization: `Bearer ${token}` }, ...(json === undefined ? {} : { json }) }) };
    const id = (await service.sesame.accounts.find(email))?.id ?? 0;
    return { smtp, service, admin, id, sessionId: signedIn.sessionId ?? '' };
  }

  /** The attacker, who knows the password and holds a session, asks to move the account to `thief`; the confirmation they receive. */
  async function attackerAsks(smtp: SmtpReceiver, service: MailService, sessionId: string, thief: string): Promise<ReceivedMail> {
    const before = smtp.received.length;
    const asked = await send(service.url, 'PUT', '/email', { sessionId, json: { password: PASSWORD, new_email: thief } });
    expect(asked.status).toBe(200);
    // The confirmation to the new address and the notice to the owner's.
    await until(() => smtp.received.length === before + 2, 'the confirmation and the notice');
    return mailsTo(smtp, thief)[0] as ReceivedMail;
  }

  /** The confirmation's link and code both fail, and the account is not at the attacker's address. */
  async function attackerFails(service: MailService, confirmation: ReceivedMail, thief: string): Promise<void> {
    expect((await verify(service.url, { token: linkToken(confirmation) })).status).toBe(403);
    expect((await verify(service.url, { email: thief, code: codeOf(confirmation) })).status).toBe(403);
    expect(await service.sesame.accounts.find(thief)).toBeUndefined();
  }

  /** The owner asks a reset at their address and spends the mailed link; the new password signs in. */
  async function ownerResets(smtp: SmtpReceiver, service: MailService, email: string, resetMail?: ReceivedMail): Promise<void> {
    let mail = resetMail;
    if (mail === undefined) {
      const resets = (): ReceivedMail[] => mailsTo(smtp, email).filter((received) => subjectOf(received) === 'Reset your password');
      const before = resets().length;
      expect((await send(service.url, 'POST', '/reset_password', { form: { email } })).status).toBe(200);
      await until(() => resets().length > before, 'the reset mail');
      mail = resets().at(-1) as ReceivedMail;
    }
    const reset = await send(service.url, 'PUT', '/reset_password', { form: { email, reset_token: linkToken(mail, 'reset'), new_password: OWNER_NEW_PASSWORD } });
    expect(reset.status).toBe(200);
    expect((await login(service.url, email, OWNER_NEW_PASSWORD)).status).toBe(200);
  }

  it('an admin force-reset cancels the change; the force-reset\'s own link then resets the password', async () => {
    const { smtp, service, admin, id, sessionId } = await start('forced@example.io');
    const confirmation = await attackerAsks(smtp, service, sessionId, 'thief.forced@example.io');
    const forced = await admin.call('POST', `/admin/users/${id}/force-reset`);
    expect(forced.status).toBe(200);
    await until(() => mailsTo(smtp, 'forced@example.io').some((mail) => subjectOf(mail) === 'Reset your password'), 'the force-reset mail');
    await attackerFails(service, confirmation, 'thief.forced@example.io');
    await ownerResets(smtp, service, 'forced@example.io', mailsTo(smtp, 'forced@example.io').find((mail) => subjectOf(mail) === 'Reset your password'));
  });

  it('an admin disable cancels the change, and enabling the account again revives none of it', async () => {
    const { smtp, service, admin, id, sessionId } = await start('disabled@example.io');
    const confirmation = await attackerAsks(smtp, service, sessionId, 'thief.disabled@example.io');
    expect((await admin.call('POST', `/admin/users/${id}/disable`, { reason: 'compromised' })).status).toBe(200);
    await attackerFails(service, confirmation, 'thief.disabled@example.io');
    expect((await admin.call('POST', `/admin/users/${id}/enable`)).status).toBe(200);
    await attackerFails(service, confirmation, 'thief.disabled@example.io');
    await ownerResets(smtp, service, 'disabled@example.io');
  });

  it('an admin revoke-sessions cancels the change; the owner\'s fresh reset works', async () => {
    const { smtp, service, admin, id, sessionId } = await start('revoked@example.io');
    const confirmation = await attackerAsks(smtp, service, sessionId, 'thief.revoked@example.io');
    const revoked = await admin.call('POST', `/admin/users/${id}/revoke-sessions`);
    expect(revoked.status).toBe(200);
    expect(revoked.json).toEqual({ sessions_ended: 1 });
    // The account's events say a change was pending and died here.
    const [event] = await service.sesame.audit.list({ type: 'account.sessions_revoked' });
    expect(JSON.parse(event?.detail ?? '{}')).toEqual({ sessionsEnded: 1, emailChangeCancelled: true });
    await attackerFails(service, confirmation, 'thief.revoked@example.io');
    await ownerResets(smtp, service, 'revoked@example.io');
  });

  it('an admin delete leaves no change to confirm', async () => {
    const { smtp, service, admin, id, sessionId } = await start('deleted@example.io');
    const confirmation = await attackerAsks(smtp, service, sessionId, 'thief.deleted@example.io');
    expect((await admin.call('DELETE', `/admin/users/${id}`)).status).toBe(200);
    await attackerFails(service, confirmation, 'thief.deleted@example.io');
  });

  it('the owner\'s own POST /sessions/end is no remedy: the pending change stays (a reset or a password change cancels it)', async () => {
    const { smtp, service, sessionId } = await start('ender@example.io');
    const confirmation = await attackerAsks(smtp, service, sessionId, 'kept@example.io');
    const ended = await send(service.url, 'POST', '/sessions/end', { sessionId, json: { password: PASSWORD, session: 'all' } });
    expect(ended.status).toBe(200);
    expect((await verify(service.url, { token: linkToken(confirmation) })).json).toEqual({ email: 'kept@example.io', message: 'email changed' });
  });
});
