// Email verification over HTTP on both engines, with a real SMTP receiver: the mail reaches the stored address with
// its link and code; the right password on an unverified account answers 403 and a wrong one 401; the link and the
// code each verify once; five wrong codes exhaust a token's code (its link still works); a code is bound to its
// account; resends answer alike for every address and stop at three messages an hour; no token or code is logged.
// Deterministic (issue 23): mail is waited for at the receiver or in the outbox rows, "answers at once" is shown with
// the first send held at a gate, and the retry's back-off is crossed on a clock the test moves.
import { expect, it } from 'vitest';
import { smtpTransport } from '../../../src/modules/mail/index.js';
import { describeEngines } from '../../support/engines.js';
import { send } from '../../support/http.js';
import { GatedTransport } from '../../support/mail-doubles.js';
import type { ReceivedMail } from '../../support/smtp.js';
import {
  codeOf,
  linkToken,
  BASE_ENV,
  login,
  mailSettled,
  mailsTo,
  nthMail,
  outboxRows,
  receiver,
  register,
  startMailService,
  subjectOf,
  until,
  useCleanup,
  verify,
  wrongCode,
  type MailService,
} from './harness.js';

useCleanup();

const PASSWORD = 'a long enough passphrase';
const INVALID = 'invalid or expired verification token';
const RESENT = 'if this email is registered and not yet verified, a verification message has been sent';

describeEngines('email verification', (engine) => {
  /** A service requiring verification, mailing through a fresh receiver. */
  async function start(env: Readonly<Record<string, string>> = {}) {
    const smtp = await receiver();
    const service = await startMailService({ SMTP_URL: smtp.url, REQUIRE_EMAIL_VERIFICATION: 'true', ...env }, { engine: engine.name });
    return { smtp, service };
  }

  /** The stored `email_verified_at` of an account. */
  async function verifiedAt(service: MailService, email: string): Promise<number | null> {
    const row = await service.sesame.storage.kysely.selectFrom('users').select('email_verified_at').where('email', '=', email).executeTakeFirstOrThrow();
    return row.email_verified_at === null ? null : Number(row.email_verified_at);
  }

  it('register mails the link and code to the stored address; login waits for the link (403 only with the right password); the link works once', async () => {
    const { smtp, service } = await start();
    const before = Date.now();
    expect((await register(service.url, 'Ada.Verify@Example.io', PASSWORD)).json).toEqual({ email: 'Ada.Verify@Example.io', message: 'user created' });
    const mail = await nthMail(smtp, 1);
    expect(mail.to).toEqual(['ada.verify@example.io']);
    expect(subjectOf(mail)).toBe('Confirm your email address');
    expect(mail.raw).toMatch(/^From: Sesame <auth@example.com>$/m);
    const token = linkToken(mail);
    const code = codeOf(mail);
    expect(code).toMatch(/^\d{4}-\d{4}$/);
    expect(await verifiedAt(service, 'ada.verify@example.io')).toBeNull();

    const refused = await login(service.url, 'ada.verify@example.io', PASSWORD);
    expect(refused.status).toBe(403);
    expect(refused.json).toEqual({ message: 'email not verified' });
    expect(refused.headers['sesame-error']).toBe('login.email_not_verified');
    expect(refused.sessionId).toBeUndefined();
    const wrong = await login(service.url, 'ada.verify@example.io', 'not the passphrase');
    expect(wrong.status).toBe(401);
    expect(wrong.message).not.toBe('email not verified');

    // Opening the link (a mail scanner prefetching it, too) shows a button and spends nothing.
    const opened = await send(service.url, 'GET', `/account/verify?token=${encodeURIComponent(token)}`);
    expect(opened.status).toBe(200);
    expect(await verifiedAt(service, 'ada.verify@example.io')).toBeNull();

    const verified = await verify(service.url, { token });
    expect(verified.status).toBe(200);
    expect(verified.json).toEqual({ email: 'ada.verify@example.io', message: 'email verified' });
    const at = await verifiedAt(service, 'ada.verify@example.io');
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now());

    const signedIn = await login(service.url, 'ada.verify@example.io', PASSWORD);
    expect(signedIn.status).toBe(200);
    expect(signedIn.sessionId).toBeDefined();

    const again = await verify(service.url, { token });
    expect(again.status).toBe(403);
    expect(again.headers['sesame-error']).toBe('email.token_invalid');
    expect(again.message).toBe(INVALID);
    // The code died with the link it came with.
    expect((await verify(service.url, { email: 'ada.verify@example.io', code })).status).toBe(403);
    expect(await verifiedAt(service, 'ada.verify@example.io')).toBe(at);

    const events = (await service.sesame.audit.list({})).map((event) => event.type);
    expect(events).toContain('email.verified');
    expect(service.logs()).toContain('sesame configured');
    expect(service.logs()).not.toContain(token);
    expect(service.logs()).not.toContain(encodeURIComponent(token));
    expect(service.logs()).not.toContain(code);
    expect(service.logs()).not.toContain(code.replace('-', ''));
  });

  it('a made-up token is refused like a spent one and verifies nothing', async () => {
    const { smtp, service } = await start();
    await register(service.url, 'made.up@example.io', PASSWORD);
    const token = linkToken(await nthMail(smtp, 1));
    const forged = await verify(service.url, { token: `${token.slice(0, -2)}xy` });
    expect(forged.status).toBe(403);
    expect(forged.message).toBe(INVALID);
    expect(await verifiedAt(service, 'made.up@example.io')).toBeNull();
    expect((await login(service.url, 'made.up@example.io', PASSWORD)).status).toBe(403);
  });

  it('the code verifies too, typed with spaces or without its dash and with the address in another case', async () => {
    const { smtp, service } = await start();
    await register(service.url, 'spaces@example.io', PASSWORD);
    await register(service.url, 'nodash@example.io', PASSWORD);
    await nthMail(smtp, 2);
    const spacesCode = codeOf(mailsTo(smtp, 'spaces@example.io')[0] as ReceivedMail);
    const nodashCode = codeOf(mailsTo(smtp, 'nodash@example.io')[0] as ReceivedMail);

    const typed = ` ${spacesCode.slice(0, 2)} ${spacesCode.slice(2, 4)} ${spacesCode.slice(5)} `;
    const first = await verify(service.url, { email: 'SPACES@Example.IO', code: typed });
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ email: 'spaces@example.io', message: 'email verified' });
    const second = await verify(service.url, { email: 'nodash@example.io', code: nodashCode.replace('-', '') });
    expect(second.json).toEqual({ email: 'nodash@example.io', message: 'email verified' });
    expect((await login(service.url, 'spaces@example.io', PASSWORD)).status).toBe(200);
    expect((await login(service.url, 'nodash@example.io', PASSWORD)).status).toBe(200);
    // Spent: the same code again is refused.
    expect((await verify(service.url, { email: 'nodash@example.io', code: nodashCode })).message).toBe(INVALID);
  });

  it('five wrong codes exhaust the code (the right one then fails) but the link still works', async () => {
    const { smtp, service } = await start();
    await register(service.url, 'guesser@example.io', PASSWORD);
    const mail = await nthMail(smtp, 1);
    const code = codeOf(mail);
    const bad = wrongCode(code);
    expect(bad).not.toBe(code);
    for (let i = 0; i < 4; i += 1) expect((await verify(service.url, { email: 'guesser@example.io', code: bad })).status).toBe(403);
    // Four wrong guesses leave the fifth look: the right code still works after four. Use a second account to prove it.
    await register(service.url, 'four@example.io', PASSWORD);
    await nthMail(smtp, 2);
    const fourCode = codeOf(mailsTo(smtp, 'four@example.io')[0] as ReceivedMail);
    for (let i = 0; i < 4; i += 1) expect((await verify(service.url, { email: 'four@example.io', code: wrongCode(fourCode) })).message).toBe(INVALID);
    expect((await verify(service.url, { email: 'four@example.io', code: fourCode })).status).toBe(200);

    expect((await verify(service.url, { email: 'guesser@example.io', code: bad })).status).toBe(403);
    const exhausted = await verify(service.url, { email: 'guesser@example.io', code });
    expect(exhausted.status).toBe(403);
    expect(exhausted.message).toBe(INVALID);
    expect(await verifiedAt(service, 'guesser@example.io')).toBeNull();
    const failures = (await service.sesame.audit.list({ type: 'email.verify_failed' })).length;
    expect(failures).toBeGreaterThanOrEqual(10);

    const byLink = await verify(service.url, { token: linkToken(mail) });
    expect(byLink.json).toEqual({ email: 'guesser@example.io', message: 'email verified' });
    expect((await login(service.url, 'guesser@example.io', PASSWORD)).status).toBe(200);
  });

  it('a wrong code counts against every live code of the account: a resent code is exhausted by the same five guesses', async () => {
    const { smtp, service } = await start();
    await register(service.url, 'two.codes@example.io', PASSWORD);
    await nthMail(smtp, 1);
    await send(service.url, 'POST', '/email/verify/resend', { json: { email: 'two.codes@example.io' } });
    const [first, second] = mailsTo(smtp, 'two.codes@example.io').length === 2 ? mailsTo(smtp, 'two.codes@example.io') : [await nthMail(smtp, 1), await nthMail(smtp, 2)];
    const codes = [codeOf(first as ReceivedMail), codeOf(second as ReceivedMail)];
    expect(codes[0]).not.toBe(codes[1]);
    const bad = ['00000000', '99999999', '12345678', '87654321', '11111111', '22222222'].filter((c) => !codes.includes(`${c.slice(0, 4)}-${c.slice(4)}`));
    for (const guess of bad.slice(0, 5)) expect((await verify(service.url, { email: 'two.codes@example.io', code: guess })).status).toBe(403);
    for (const code of codes) expect((await verify(service.url, { email: 'two.codes@example.io', code })).status).toBe(403);
    expect(await verifiedAt(service, 'two.codes@example.io')).toBeNull();
    // Either link still works; using one spends the other.
    const links = [linkToken(first as ReceivedMail), linkToken(second as ReceivedMail)];
    expect((await verify(service.url, { token: links[1] as string })).status).toBe(200);
    expect((await verify(service.url, { token: links[0] as string })).message).toBe(INVALID);
  });

  it('a code is bound to its account: another account\'s code fails (and counts as a wrong guess)', async () => {
    const { smtp, service } = await start();
    await register(service.url, 'alice@example.io', PASSWORD);
    await nthMail(smtp, 1);
    await register(service.url, 'bob@example.io', PASSWORD);
    await nthMail(smtp, 2);
    const alice = codeOf(mailsTo(smtp, 'alice@example.io')[0] as ReceivedMail);
    const bob = codeOf(mailsTo(smtp, 'bob@example.io')[0] as ReceivedMail);
    const crossed = await verify(service.url, { email: 'alice@example.io', code: bob });
    expect(crossed.status).toBe(403);
    expect(crossed.message).toBe(INVALID);
    expect(await verifiedAt(service, 'alice@example.io')).toBeNull();
    expect(await verifiedAt(service, 'bob@example.io')).toBeNull();
    // An address with no account, or a code that is not eight digits, is refused the same way.
    expect((await verify(service.url, { email: 'nobody@example.io', code: bob })).message).toBe(INVALID);
    expect((await verify(service.url, { email: 'alice@example.io', code: `${alice}1` })).message).toBe(INVALID);
    expect((await verify(service.url, { email: 'alice@example.io', code: 'abcd-efgh' })).message).toBe(INVALID);
    expect((await verify(service.url, { email: 'alice@example.io', code: alice })).json).toEqual({ email: 'alice@example.io', message: 'email verified' });
    expect(await verifiedAt(service, 'bob@example.io')).toBeNull();
    expect((await verify(service.url, { email: 'bob@example.io', code: bob })).status).toBe(200);
  });

  it('resend answers alike for unknown, verified, unverified and disabled addresses; mails only the unverified, three an hour at most', async () => {
    const { smtp, service } = await start();
    await register(service.url, 'pending@example.io', PASSWORD);
    await register(service.url, 'done@example.io', PASSWORD);
    await register(service.url, 'off@example.io', PASSWORD);
    await nthMail(smtp, 3);
    const done = mailsTo(smtp, 'done@example.io')[0] as ReceivedMail;
    expect((await verify(service.url, { token: linkToken(done) })).status).toBe(200);
    const off = await service.sesame.accounts.find('off@example.io');
    await service.sesame.accounts.disable(off?.id ?? 0, 'test', { actor: 'cli:test' });

    const answers = [];
    for (const email of ['nobody@example.io', 'done@example.io', 'off@example.io', 'pending@example.io']) {
      const reply = await send(service.url, 'POST', '/email/verify/resend', { json: { email } });
      answers.push({ status: reply.status, body: reply.json, error: reply.headers['sesame-error'] });
      expect(reply.json).toEqual({ email, message: RESENT });
    }
    expect(new Set(answers.map((answer) => JSON.stringify({ ...answer, body: undefined }))).size).toBe(1);
    expect(answers[0]?.status).toBe(200);
    for (let i = 0; i < 3; i += 1) {
      const reply = await send(service.url, 'POST', '/email/verify/resend', { form: { email: 'pending@example.io' } });
      expect(reply.json).toEqual({ email: 'pending@example.io', message: RESENT });
    }
    // Registration's message and two resends: three verification messages in the hour, then nothing.
    const rows = await outboxRows(service.sesame);
    expect(rows.filter((row) => row.recipient === 'pending@example.io').map((row) => row.kind)).toEqual(['email_verify', 'email_verify', 'email_verify']);
    expect(rows.filter((row) => row.recipient !== 'pending@example.io').map((row) => row.recipient).sort()).toEqual(['done@example.io', 'off@example.io']);
    expect((await mailSettled(service)).map((row) => row.status)).toEqual(['sent', 'sent', 'sent', 'sent', 'sent']);
    expect(mailsTo(smtp, 'pending@example.io')).toHaveLength(3);
    expect(mailsTo(smtp, 'done@example.io')).toHaveLength(1);
    expect(mailsTo(smtp, 'off@example.io')).toHaveLength(1);
    expect(mailsTo(smtp, 'nobody@example.io')).toHaveLength(0);
    // Each message has its own link; any one verifies, then the others are dead.
    const tokens = mailsTo(smtp, 'pending@example.io').map((mail) => linkToken(mail));
    expect(new Set(tokens).size).toBe(3);
    expect((await verify(service.url, { token: tokens[1] as string })).status).toBe(200);
    expect((await verify(service.url, { token: tokens[2] as string })).status).toBe(403);
    expect((await verify(service.url, { token: tokens[0] as string })).status).toBe(403);
    // A disabled account's link does not verify it.
    const offToken = linkToken(mailsTo(smtp, 'off@example.io')[0] as ReceivedMail);
    expect((await verify(service.url, { token: offToken })).message).toBe(INVALID);
    const offCode = codeOf(mailsTo(smtp, 'off@example.io')[0] as ReceivedMail);
    expect((await verify(service.url, { email: 'off@example.io', code: offCode })).message).toBe(INVALID);
    expect(await verifiedAt(service, 'off@example.io')).toBeNull();
  });

  it('refuses a body with neither a token nor an address and a code', async () => {
    const { service } = await start();
    expect((await verify(service.url, { email: 'x@example.io' })).status).toBe(400);
    expect((await verify(service.url, {})).status).toBe(400);
  });

  it('EMAIL_TOKEN_TTL bounds the link and the code; the resend limit counts the last hour only', async () => {
    let now = Date.now();
    const smtp = await receiver();
    const service = await startMailService({ SMTP_URL: smtp.url, REQUIRE_EMAIL_VERIFICATION: 'true', EMAIL_TOKEN_TTL: '10m' }, { engine: engine.name, clock: () => now });
    await register(service.url, 'late@example.io', PASSWORD);
    const mail = await nthMail(smtp, 1);
    expect(mail.text).toContain('10 minutes');
    // Two resends: three messages this hour, then the limit.
    for (let i = 0; i < 3; i += 1) await send(service.url, 'POST', '/email/verify/resend', { json: { email: 'late@example.io' } });
    expect((await outboxRows(service.sesame)).filter((row) => row.kind === 'email_verify')).toHaveLength(3);

    now += 10 * 60_000;
    expect((await verify(service.url, { token: linkToken(mail) })).message).toBe(INVALID);
    expect((await verify(service.url, { email: 'late@example.io', code: codeOf(mail) })).message).toBe(INVALID);
    expect(await verifiedAt(service, 'late@example.io')).toBeNull();

    // 59 minutes after the first message the limit still holds; a minute later it lets one more through.
    now += 49 * 60_000;
    await send(service.url, 'POST', '/email/verify/resend', { json: { email: 'late@example.io' } });
    expect((await outboxRows(service.sesame)).filter((row) => row.kind === 'email_verify')).toHaveLength(3);
    now += 60_000 + 1;
    await send(service.url, 'POST', '/email/verify/resend', { json: { email: 'late@example.io' } });
    expect((await outboxRows(service.sesame)).filter((row) => row.kind === 'email_verify')).toHaveLength(4);
    const fresh = await nthMail(smtp, 4);
    // A fresh link works until just before its expiry.
    now += 10 * 60_000 - 1;
    expect((await verify(service.url, { token: linkToken(fresh) })).json).toEqual({ email: 'late@example.io', message: 'email verified' });
  });

  it('with the SMTP server down, registration answers at once and the verification mail goes out when it is back', async () => {
    const T0 = Date.now();
    let now = T0;
    const smtp = await receiver();
    // The real SMTP transport behind a gate: the first try is held in flight until the test lets it go.
    const gated = new GatedTransport(smtpTransport(smtp.url, BASE_ENV['MAIL_FROM'] ?? ''));
    const service = await startMailService({ SMTP_URL: smtp.url, REQUIRE_EMAIL_VERIFICATION: 'true' }, { engine: engine.name, clock: () => now, mail: { transport: gated } });
    await smtp.stop();
    // Answered while its message cannot have left: registration does not wait for delivery.
    expect((await register(service.url, 'patient@example.io', PASSWORD)).status).toBe(200);
    const held = await gated.arrival();
    expect(held.kind).toBe('email_verify');
    gated.open();
    /** The verification message's row. */
    const row = async () => {
      const found = await service.sesame.storage.kysely.selectFrom('mail_outbox').select(['status', 'attempts', 'next_attempt_at']).executeTakeFirstOrThrow();
      return { status: found.status, attempts: Number(found.attempts), next_attempt_at: Number(found.next_attempt_at) };
    };
    await until(async () => (await row()).attempts >= 1, 'a failed try');
    // It waits one back-off (200 ms) on the service's clock, which moves only when the test moves it.
    expect(await row()).toEqual({ status: 'pending', attempts: 1, next_attempt_at: T0 + 200 });
    await smtp.restart();
    now = T0 + 200;
    const mail = await nthMail(smtp, 1);
    expect((await mailSettled(service)).map((settled) => settled.status)).toEqual(['sent']);
    expect((await row()).attempts).toBe(2);
    expect((await verify(service.url, { token: linkToken(mail) })).status).toBe(200);
  });

  // Found as a bug, fixed (src/modules/email/service.ts `resend`, with src/modules/verification/store.ts `purgeExpired`): the 3-an-hour
  // limit counts the account's `email_verify` rows issued in the last hour, but the sweeper deletes rows once they
  // expire. With EMAIL_TOKEN_TTL under an hour (10m here), the rows of the first messages are gone after the next
  // sweep and the account gets a fourth, fifth... message within the same hour (and a guesser fresh codes). Expected:
  // the count survives the purge (keep rows until an hour after issue, or count from the outbox/audit), so the fourth
  // resend inside the hour sends nothing.
  it('the resend limit holds for the whole hour even when EMAIL_TOKEN_TTL is shorter and the sweeper has run', async () => {
    let now = Date.now();
    const smtp = await receiver();
    const service = await startMailService({ SMTP_URL: smtp.url, REQUIRE_EMAIL_VERIFICATION: 'true', EMAIL_TOKEN_TTL: '10m' }, { engine: engine.name, clock: () => now });
    await register(service.url, 'swept@example.io', PASSWORD);
    for (let i = 0; i < 3; i += 1) await send(service.url, 'POST', '/email/verify/resend', { json: { email: 'swept@example.io' } });
    expect((await outboxRows(service.sesame)).filter((row) => row.kind === 'email_verify')).toHaveLength(3);
    now += 11 * 60_000;
    expect((await service.sesame.purgeExpired())['verificationTokens']).toBe(3);
    await send(service.url, 'POST', '/email/verify/resend', { json: { email: 'swept@example.io' } });
    expect((await outboxRows(service.sesame)).filter((row) => row.kind === 'email_verify')).toHaveLength(3);
  });
});
