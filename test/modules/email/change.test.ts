// Change of address over HTTP on both engines, with a real SMTP receiver: the current password is required, a taken
// or unchanged address is refused; a request mails a confirmation to the new address and a notice (masked address,
// no token) to the old one; the account keeps its address and sessions until the new mailbox confirms; the move keeps
// the sessions, verifies the new address, and kills the reset links mailed to the old one.
import { expect, it } from 'vitest';
import { describeEngines } from '../../support/engines.js';
import { send, type Reply } from '../../support/http.js';
import type { ReceivedMail, SmtpReceiver } from '../../support/smtp.js';
import {
  codeOf,
  linkToken,
  login,
  mailsTo,
  nthMail,
  outboxRows,
  receiver,
  register,
  startMailService,
  subjectOf,
  useCleanup,
  verify,
  type MailService,
} from './harness.js';

useCleanup();

const PASSWORD = 'a long enough passphrase';
const SENT = { message: 'confirmation sent to the new address' };

describeEngines('change of email address', (engine) => {
  /** A service requiring verification and mailing resets, with one verified, signed-in account. */
  async function start(email: string): Promise<{ smtp: SmtpReceiver; service: MailService; sessionId: string }> {
    const smtp = await receiver();
    const service = await startMailService({ SMTP_URL: smtp.url, REQUIRE_EMAIL_VERIFICATION: 'true', RESET_TOKEN_DELIVERY: 'email' }, { engine: engine.name });
    expect((await register(service.url, email, PASSWORD)).status).toBe(200);
    expect((await verify(service.url, { token: linkToken(await nthMail(smtp, 1)) })).status).toBe(200);
    const signedIn = await login(service.url, email, PASSWORD);
    expect(signedIn.status).toBe(200);
    return { smtp, service, sessionId: signedIn.sessionId ?? '' };
  }

  /** PUT /email with the session cookie. */
  function change(service: MailService, sessionId: string, password: string, newEmail: string): Promise<Reply> {
    return send(service.url, 'PUT', '/email', { sessionId, json: { password, new_email: newEmail } });
  }

  /** GET /profile's email, or the status when it is refused. */
  async function profile(service: MailService, sessionId: string): Promise<string | number> {
    const reply = await send(service.url, 'GET', '/profile', { sessionId });
    return reply.status === 200 ? ((reply.json as { email: string }).email) : reply.status;
  }

  it('refuses a wrong password (403), a taken address and the current one (400, in any case), mailing nothing', async () => {
    const { smtp, service, sessionId } = await start('owner@example.io');
    expect((await register(service.url, 'taken@example.io', PASSWORD)).status).toBe(200);
    await nthMail(smtp, 2);
    const rowsBefore = (await outboxRows(service.sesame)).length;

    const wrong = await change(service, sessionId, 'not the passphrase', 'new@example.io');
    expect(wrong.status).toBe(403);
    expect(wrong.message).toBe('password is wrong');
    const taken = await change(service, sessionId, PASSWORD, 'Taken@Example.io');
    expect(taken.status).toBe(400);
    const same = await change(service, sessionId, PASSWORD, ' OWNER@example.io ');
    expect(same.status).toBe(400);
    expect(same.message).toBe('this is already the account\'s email');
    const notAnAddress = await change(service, sessionId, PASSWORD, 'not an address');
    expect(notAnAddress.status).toBe(400);
    const anonymous = await send(service.url, 'PUT', '/email', { json: { password: PASSWORD, new_email: 'new@example.io' } });
    expect(anonymous.status).toBe(403);

    expect(await outboxRows(service.sesame)).toHaveLength(rowsBefore);
    const failed = await service.sesame.audit.list({ type: 'email.change_failed' });
    expect(failed).toHaveLength(1);
    expect(await profile(service, sessionId)).toBe('owner@example.io');
  });

  it('confirms from the new mailbox, notifies the old one, keeps address and sessions until then; the move keeps sessions and kills old reset links', async () => {
    const { smtp, service, sessionId } = await start('old.owner@example.io');
    // A reset link mailed to the old address before the move.
    expect((await send(service.url, 'POST', '/reset_password', { form: { email: 'old.owner@example.io' } })).status).toBe(200);
    const resetMail = await nthMail(smtp, 2);
    expect(subjectOf(resetMail)).toBe('Reset your password');
    const resetToken = linkToken(resetMail, 'reset');
    const resetCode = codeOf(resetMail);

    const asked = await change(service, sessionId, PASSWORD, 'New.Home@Example.io');
    expect(asked.status).toBe(200);
    expect(asked.json).toEqual({ email: 'old.owner@example.io', ...SENT });
    await nthMail(smtp, 4);
    const [confirmation] = mailsTo(smtp, 'new.home@example.io');
    const notice = mailsTo(smtp, 'old.owner@example.io').find((mail) => mail !== resetMail && subjectOf(mail) !== 'Confirm your email address');
    if (confirmation === undefined || notice === undefined) throw new Error('missing mail');
    expect(subjectOf(confirmation)).toBe('Confirm your new email address');
    const token = linkToken(confirmation);
    const code = codeOf(confirmation);
    expect(subjectOf(notice)).toBe('Your email address is being changed');
    expect(notice.text).toContain('n***@example.io');
    expect(notice.raw).not.toContain('new.home@example.io');
    expect(notice.raw).not.toContain(token);
    expect(notice.raw).not.toContain(encodeURIComponent(token));
    expect(notice.raw).not.toContain(code);
    expect(notice.raw).not.toContain('token=');

    // Nothing moved yet.
    expect(await profile(service, sessionId)).toBe('old.owner@example.io');
    expect((await login(service.url, 'old.owner@example.io', PASSWORD)).status).toBe(200);
    expect((await login(service.url, 'new.home@example.io', PASSWORD)).status).toBe(401);

    const confirmed = await verify(service.url, { token });
    expect(confirmed.status).toBe(200);
    expect(confirmed.json).toEqual({ email: 'new.home@example.io', message: 'email changed' });
    expect(await profile(service, sessionId)).toBe('new.home@example.io');
    // Verified by the move: logs in with verification required.
    expect((await login(service.url, 'new.home@example.io', PASSWORD)).status).toBe(200);
    expect((await login(service.url, 'old.owner@example.io', PASSWORD)).status).toBe(401);
    // The link works once.
    expect((await verify(service.url, { token })).status).toBe(403);

    // The reset link and code mailed to the old address died with the move.
    const byToken = await send(service.url, 'PUT', '/reset_password', { form: { email: 'new.home@example.io', reset_token: resetToken, new_password: 'another long passphrase' } });
    expect(byToken.status).toBe(403);
    const byCode = await send(service.url, 'PUT', '/reset_password', { form: { email: 'new.home@example.io', reset_token: resetCode, new_password: 'another long passphrase' } });
    expect(byCode.status).toBe(403);
    expect((await login(service.url, 'new.home@example.io', PASSWORD)).status).toBe(200);
    const events = (await service.sesame.audit.list({})).map((event) => event.type);
    expect(events).toEqual(expect.arrayContaining(['email.change_requested', 'email.changed']));
    expect(service.logs()).not.toContain(token);
    expect(service.logs()).not.toContain(code);
  });

  it('the code confirms a change typed with the new address; a newer request cancels the older one', async () => {
    const { smtp, service, sessionId } = await start('coder@example.io');
    expect((await change(service, sessionId, PASSWORD, 'first@example.io')).status).toBe(200);
    await nthMail(smtp, 3);
    const first = mailsTo(smtp, 'first@example.io')[0] as ReceivedMail;
    expect((await change(service, sessionId, PASSWORD, 'second@example.io')).status).toBe(200);
    await nthMail(smtp, 5);
    const second = mailsTo(smtp, 'second@example.io')[0] as ReceivedMail;

    expect((await verify(service.url, { token: linkToken(first) })).status).toBe(403);
    expect((await verify(service.url, { email: 'first@example.io', code: codeOf(first) })).status).toBe(403);
    const moved = await verify(service.url, { email: 'Second@Example.io', code: codeOf(second).replace('-', ' ') });
    expect(moved.status).toBe(200);
    expect(moved.json).toEqual({ email: 'second@example.io', message: 'email changed' });
    expect(await profile(service, sessionId)).toBe('second@example.io');
    expect((await login(service.url, 'second@example.io', PASSWORD)).status).toBe(200);
    expect((await login(service.url, 'coder@example.io', PASSWORD)).status).toBe(401);
  });

  it('an address another account registers meanwhile is refused at confirmation (400) and the account stays put', async () => {
    const { smtp, service, sessionId } = await start('slow@example.io');
    expect((await change(service, sessionId, PASSWORD, 'race@example.io')).status).toBe(200);
    await nthMail(smtp, 3);
    const confirmation = mailsTo(smtp, 'race@example.io')[0] as ReceivedMail;
    expect((await register(service.url, 'race@example.io', PASSWORD)).status).toBe(200);
    const refused = await verify(service.url, { token: linkToken(confirmation) });
    expect(refused.status).toBe(400);
    expect(await profile(service, sessionId)).toBe('slow@example.io');
    expect((await login(service.url, 'slow@example.io', PASSWORD)).status).toBe(200);
  });

  // Found as a bug, fixed (src/modules/password/reset.ts:93 and src/modules/password/change.ts:37): a password reset (and a password
  // change) revokes only `password_reset` tokens, never a pending `email_change`. The notice mailed to the old address
  // tells the owner "reset it now, before the new address is confirmed", but doing so does not stop the change: whoever
  // requested it with the stolen password still confirms it from their mailbox and takes the account. Expected: the
  // reset's transaction also revokes the account's `email_change` tokens, so the confirmation below answers 403.
  it('a password reset by the owner after the change notice cancels the pending change (the notice\'s advice works)', async () => {
    const { smtp, service, sessionId } = await start('victim@example.io');
    // Someone with the password asks to move the account to their own mailbox.
    expect((await change(service, sessionId, PASSWORD, 'thief@example.io')).status).toBe(200);
    await nthMail(smtp, 3);
    const confirmation = mailsTo(smtp, 'thief@example.io')[0] as ReceivedMail;
    // The owner reads the notice and resets the password with a link mailed to the old address.
    expect((await send(service.url, 'POST', '/reset_password', { form: { email: 'victim@example.io' } })).status).toBe(200);
    await nthMail(smtp, 4);
    const resetMail = mailsTo(smtp, 'victim@example.io').find((mail) => subjectOf(mail) === 'Reset your password') as ReceivedMail;
    const reset = await send(service.url, 'PUT', '/reset_password', { form: { email: 'victim@example.io', reset_token: linkToken(resetMail, 'reset'), new_password: 'the owner took it back' } });
    expect(reset.status).toBe(200);
    // The pending change must be dead now.
    expect((await verify(service.url, { token: linkToken(confirmation) })).status).toBe(403);
    expect((await login(service.url, 'victim@example.io', 'the owner took it back')).status).toBe(200);
  });

  // The same bug through PUT /password: changing the password leaves the pending change to the other mailbox alive.
  it('a password change after the change notice cancels the pending change', async () => {
    const { smtp, service, sessionId } = await start('victim2@example.io');
    expect((await change(service, sessionId, PASSWORD, 'thief2@example.io')).status).toBe(200);
    await nthMail(smtp, 3);
    const confirmation = mailsTo(smtp, 'thief2@example.io')[0] as ReceivedMail;
    const changed = await send(service.url, 'PUT', '/password', { sessionId, json: { password: PASSWORD, new_password: 'the owner took it back' } });
    expect(changed.status).toBe(200);
    expect((await verify(service.url, { email: 'thief2@example.io', code: codeOf(confirmation) })).status).toBe(403);
  });
});
