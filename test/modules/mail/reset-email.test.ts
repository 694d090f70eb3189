// RESET_TOKEN_DELIVERY=email over HTTP, with a real SMTP receiver (smtp-server on a loopback port): the reset mail
// reaches the stored address with its link and code, the code resets the password, and a receiver that is down
// delays the message without failing the request or losing the message. Development without SMTP_URL writes a real
// .eml file and logs its name only.
// Deterministic (issue 23): tests wait for a message at the receiver or an outbox row's state, never for time to
// pass; "answers at once" is shown with the first send held at a gate while the request answers, and the back-off
// with a clock the test moves; "mails nothing" is read from the outbox (written in the request's transaction) after a
// dispatch round.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildServer } from '../../../src/bin/app.js';
import { loadConfig } from '../../../src/config.js';
import type { Clock } from '../../../src/kernel/clock.js';
import { smtpTransport } from '../../../src/modules/mail/index.js';
import { createSesame, type MailOptions, type Sesame } from '../../../src/sesame.js';
import { send } from '../../support/http.js';
import { captureStream } from '../../support/in-process.js';
import { GatedTransport, outboxSettled, until } from '../../support/mail-doubles.js';
import { decodeQuotedPrintable, startSmtpReceiver, type ReceivedMail, type SmtpReceiver } from '../../support/smtp.js';
import { SLOW_MACHINE_DATABASE, SLOW_MACHINE_SCORING } from '../../support/settings.js';
import { makeTempDir, type TempDir } from '../../support/temp.js';

/** A running server with its captured log and temp dir. */
interface MailService {
  readonly url: string;
  readonly sesame: Sesame;
  readonly dir: TempDir;
  logs(): string;
  stop(): Promise<void>;
}

const running: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  for (const item of running.splice(0).reverse()) await item.stop();
});

/** Starts the standalone server over a fresh SQLite file, with email delivery and a fast dispatcher (on `clock` if given). */
async function startMailService(env: Readonly<Record<string, string>>, mail: MailOptions = {}, clock?: Clock): Promise<MailService> {
  const dir = makeTempDir('mail');
  const config = loadConfig({
    BCRYPT_COST: '4',
    LOG_LEVEL: 'info',
    ...SLOW_MACHINE_SCORING,
    ...SLOW_MACHINE_DATABASE,
    MAX_EVENT_LOOP_DELAY: '0',
    DATABASE_URL: `sqlite:${join(dir.path, 'sesame.db')}`,
    RESET_TOKEN_DELIVERY: 'email',
    MAIL_FROM: 'Sesame <auth@example.com>',
    PUBLIC_URL: 'https://auth.example.com/sesame',
    ...env,
    PORT: '0',
    HOST: '127.0.0.1',
  });
  const log = captureStream();
  const sesame = await createSesame(config, {
    logStream: log.stream,
    sweeper: false,
    mail: { outboxDir: join(dir.path, 'outbox'), dispatch: { pollMs: 50, backoffMs: [250] }, ...mail },
    ...(clock === undefined ? {} : { clock }),
  });
  const app = await buildServer(sesame);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const service: MailService = {
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    sesame,
    dir,
    logs: log.text,
    async stop() {
      await app.close();
      dir.remove();
    },
  };
  running.push(service);
  return service;
}

/** Starts a receiver that the suite stops afterwards. */
async function receiver(): Promise<SmtpReceiver> {
  const smtp = await startSmtpReceiver();
  running.push(smtp);
  return smtp;
}

/** The token of the reset link in a message's (decoded) text. */
function tokenOf(text: string): string {
  const match = /\/account\/reset\?token=([A-Za-z0-9_-]+)/.exec(text);
  if (match?.[1] === undefined) throw new Error(`no reset link in ${text}`);
  return match[1];
}

/** The 8-digit code of a message, on its own indented line (a UUID token may hold `1234-5678` too). */
function shortCodeOf(text: string): string {
  const match = /^ {4}(\d{4}-\d{4})\r?$/m.exec(text);
  if (match?.[1] === undefined) throw new Error(`no code in ${text}`);
  return match[1];
}

describe('RESET_TOKEN_DELIVERY=email with a real SMTP server', () => {
  it('mails the link and code to the stored address; the code resets the password and the new one logs in', async () => {
    const smtp = await receiver();
    const service = await startMailService({ SMTP_URL: smtp.url });
    expect((await send(service.url, 'POST', '/users', { form: { email: 'Mia.Reset@Example.io', password: 'old-pass' } })).status).toBe(200);

    const asked = await send(service.url, 'POST', '/reset_password', { form: { email: '  MIA.RESET@example.IO ' } });
    expect(asked.status).toBe(200);
    expect(asked.json).toEqual({ email: '  MIA.RESET@example.IO ', message: 'if this email is registered, reset instructions have been sent' });
    expect(asked.text).not.toMatch(/reset_token/);

    await until(() => smtp.received.length === 1, 'the reset mail');
    const mail = smtp.received[0] as ReceivedMail;
    expect(mail.to).toEqual(['mia.reset@example.io']);
    expect(mail.raw).toMatch(/^Subject: Reset your password$/m);
    expect(mail.raw).toMatch(/^From: Sesame <auth@example.com>$/m);
    const token = tokenOf(mail.text);
    expect(mail.text).toContain(`https://auth.example.com/sesame/account/reset?token=${encodeURIComponent(token)}`);
    const code = shortCodeOf(mail.text);
    console.info(`[mail] reset message size: ${mail.bytes} bytes`);

    const reset = await send(service.url, 'PUT', '/reset_password', { form: { email: 'mia.reset@example.io', reset_token: code, new_password: 'new-pass' } });
    expect(reset.status).toBe(200);
    expect((await send(service.url, 'POST', '/sessions', { form: { email: 'mia.reset@example.io', password: 'new-pass' } })).status).toBe(200);
    expect((await send(service.url, 'POST', '/sessions', { form: { email: 'mia.reset@example.io', password: 'old-pass' } })).status).toBe(401);

    const row = await service.sesame.mail.find(1);
    expect(row).toMatchObject({ kind: 'password_reset', status: 'sent', attempts: 1, last_error: null });
    expect(service.logs()).toContain('"mailId":1');
    expect(service.logs()).not.toContain(token);
    expect(service.logs()).not.toContain(code);
    expect(service.logs()).not.toContain('mia.reset@example.io');
    // The code spent the token: its link no longer works.
    expect((await send(service.url, 'PUT', '/reset_password', { form: { email: 'mia.reset@example.io', reset_token: token, new_password: 'third-pass' } })).status).toBe(403);
  });

  it('answers an unknown email the same way and mails nothing', async () => {
    const smtp = await receiver();
    const service = await startMailService({ SMTP_URL: smtp.url });
    const asked = await send(service.url, 'POST', '/reset_password', { form: { email: 'nobody@example.io' } });
    expect(asked.status).toBe(200);
    expect(asked.message).toBe('if this email is registered, reset instructions have been sent');
    // A message would have been enqueued in the request's transaction: the outbox is empty once it has answered, and
    // a dispatch round run to its end (after the dispatcher's own) sends nothing.
    expect(await service.sesame.storage.kysely.selectFrom('mail_outbox').select('id').execute()).toEqual([]);
    expect(await service.sesame.mail.dispatchDue()).toBe(0);
    expect(smtp.received).toEqual([]);
    expect(await service.sesame.mail.find(1)).toBeUndefined();
  });

  it('with the SMTP server down, answers at once and keeps the message pending with back-off; delivers it when the server is back', async () => {
    const T0 = Date.now();
    let now = T0;
    const smtp = await receiver();
    // The real SMTP transport behind a gate: the first try is held in flight until the test lets it go.
    const gated = new GatedTransport(smtpTransport(smtp.url, 'Sesame <auth@example.com>'));
    const service = await startMailService({ SMTP_URL: smtp.url }, { transport: gated }, () => now);
    expect((await send(service.url, 'POST', '/users', { form: { email: 'down@example.io', password: 'old-pass' } })).status).toBe(200);
    await smtp.stop();

    // Answered while its message cannot have left: the request does not wait for delivery.
    const asked = await send(service.url, 'POST', '/reset_password', { form: { email: 'down@example.io' } });
    expect(asked.status).toBe(200);
    expect(smtp.received).toEqual([]);
    expect((await gated.arrival()).id).toBe(1);
    expect(await service.sesame.mail.find(1)).toMatchObject({ status: 'sending', attempts: 0 });
    gated.open();

    // Each failed try waits one back-off (250 ms) on the service's clock, which moves only when the test moves it.
    const failedTry = async (attempts: number, at: number): Promise<void> => {
      await until(async () => (await service.sesame.mail.find(1))?.attempts === attempts, `failed try ${attempts}`);
      expect(await service.sesame.mail.find(1)).toMatchObject({ status: 'pending', attempts, next_attempt_at: at + 250, sent_at: null });
    };
    await failedTry(1, T0);
    now = T0 + 250;
    await failedTry(2, T0 + 250);
    const waiting = await service.sesame.mail.find(1);
    expect(waiting?.last_error).toMatch(/ECONNREFUSED/);
    const failures = await service.sesame.audit.list({ type: 'mail.failed' });
    expect(failures).toHaveLength(2);
    expect(JSON.parse(failures[0]?.detail ?? '{}')).toMatchObject({ mailId: 1, kind: 'password_reset', gaveUp: false });
    expect(service.logs()).toContain('mail delivery failed: will try again');

    // Back, and the back-off passes: the next try delivers it.
    await smtp.restart();
    now = T0 + 500;
    expect(await outboxSettled(service.sesame.storage.kysely)).toMatchObject([{ id: 1, status: 'sent' }]);
    expect(smtp.received).toHaveLength(1);
    const sent = await service.sesame.mail.find(1);
    expect(sent?.attempts).toBe(3);
    const token = tokenOf((smtp.received[0] as ReceivedMail).text);
    expect(service.logs()).not.toContain(token);
    expect((await send(service.url, 'PUT', '/reset_password', { form: { email: 'down@example.io', reset_token: token, new_password: 'new-pass' } })).status).toBe(200);
  });

  it('mails a force-reset too, in the transaction that issues its token', async () => {
    const smtp = await receiver();
    const service = await startMailService({ SMTP_URL: smtp.url });
    expect((await send(service.url, 'POST', '/users', { form: { email: 'forced@example.io', password: 'old-pass' } })).status).toBe(200);
    const account = await service.sesame.accounts.find('forced@example.io');
    const forced = await service.sesame.accounts.forceReset(account?.id ?? 0, { actor: 'cli:test' });
    expect(forced.delivery).toEqual({ via: 'email' });
    await until(() => smtp.received.length === 1);
    expect((smtp.received[0] as ReceivedMail).to).toEqual(['forced@example.io']);
  });
});

describe('RESET_TOKEN_DELIVERY=email in development without SMTP_URL', () => {
  it('writes an RFC 5322 .eml file per message and logs its name, never the token or the link', async () => {
    const service = await startMailService({});
    expect((await send(service.url, 'POST', '/users', { form: { email: 'eml@example.io', password: 'old-pass' } })).status).toBe(200);
    expect((await send(service.url, 'POST', '/reset_password', { form: { email: 'eml@example.io' } })).status).toBe(200);
    const outbox = join(service.dir.path, 'outbox');
    // The row is marked sent once the file is written whole (the file exists, empty, a moment before).
    expect(await outboxSettled(service.sesame.storage.kysely)).toMatchObject([{ id: 1, status: 'sent' }]);
    expect(existsSync(join(outbox, '1-password_reset.eml'))).toBe(true);
    expect(readdirSync(outbox)).toEqual(['1-password_reset.eml']);
    const raw = readFileSync(join(outbox, '1-password_reset.eml'), 'utf8');
    expect(raw).toMatch(/^To: eml@example.io$/m);
    expect(raw).toMatch(/^Message-ID: <.+>$/m);
    expect(raw).toMatch(/^Date: .+$/m);
    const token = tokenOf(decodeQuotedPrintable(raw));
    await until(() => service.logs().includes('1-password_reset.eml'));
    const line = service.logs().split('\n').find((text) => text.includes('1-password_reset.eml')) ?? '';
    expect(JSON.parse(line)).toMatchObject({ mailId: 1, file: '1-password_reset.eml', msg: 'mail written to the development outbox' });
    expect(service.logs()).not.toContain(token);
    expect(service.logs()).not.toContain('/account/reset');
    expect((await send(service.url, 'PUT', '/reset_password', { form: { email: 'eml@example.io', reset_token: token, new_password: 'new-pass' } })).status).toBe(200);
  });

  it('keeps RESET_TOKEN_DELIVERY=response as the development default: the token in the body, no mail', async () => {
    const service = await startMailService({ RESET_TOKEN_DELIVERY: 'response' });
    expect((await send(service.url, 'POST', '/users', { form: { email: 'seed@example.io', password: 'old-pass' } })).status).toBe(200);
    const asked = await send(service.url, 'POST', '/reset_password', { form: { email: 'seed@example.io' } });
    expect(asked.json).toMatchObject({ email: 'seed@example.io', reset_token: expect.any(String) as unknown });
    // A message would have been enqueued in the request's transaction: none was.
    expect(await service.sesame.storage.kysely.selectFrom('mail_outbox').select('id').execute()).toEqual([]);
    expect(await service.sesame.mail.find(1)).toBeUndefined();
  });
});
