// The transports hand nodemailer an explicit envelope, so the stored recipient is where a message goes and nothing
// re-parses it: a row written before the address rule (`a,victim@x.io`, accepted by the old loose check) reaches
// one mailbox named by the whole string, never `victim@x.io`; `MAIL FROM` is the address of `MAIL_FROM`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fileTransport, smtpTransport, type MailTransport, type OutboxMessage } from '../../../src/modules/mail/index.js';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp.js';
import { makeTempDir } from '../../support/temp.js';

/** An outbox row to `recipient`. */
function row(id: number, recipient: string): OutboxMessage {
  return {
    id,
    kind: 'password_reset',
    channel: 'email',
    recipient,
    subject: 'Reset your password',
    text_body: 'the link',
    html_body: null,
    status: 'sending',
    attempts: 0,
    next_attempt_at: 0,
    last_error: null,
    created_at: 0,
    sent_at: null,
  };
}

/** What nodemailer would read out of these stored spellings, had it parsed them as a header. */
const LEGACY = ['a,victim@x.io', 'x;victim@x.io', '"victim"@x.io', 'name<victim@x.io'];

describe('the transports\' envelope', () => {
  const stops: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });

  it('SMTP: RCPT TO is the stored recipient alone, MAIL FROM the address of MAIL_FROM', async () => {
    const smtp: SmtpReceiver = await startSmtpReceiver();
    stops.push(() => smtp.stop());
    const transport: MailTransport = smtpTransport(smtp.url, 'Sesame <auth@example.com>');
    stops.push(() => transport.close());
    await transport.send(row(1, 'first.last+tag@sub.example.org'));
    expect(smtp.received[0]?.to).toEqual(['first.last+tag@sub.example.org']);
    expect(smtp.received[0]?.from).toBe('auth@example.com');
    for (const [index, recipient] of LEGACY.entries()) {
      await transport.send(row(index + 2, recipient)).catch(() => undefined);
    }
    // Whatever the server made of those (refused or delivered as one odd mailbox), none reached the victim.
    expect(smtp.received.flatMap((mail) => mail.to)).not.toContain('victim@x.io');
    expect(smtp.received.every((mail) => mail.to.length === 1)).toBe(true);
  });

  it('the .eml file names the stored recipient alone in To:', async () => {
    const dir = makeTempDir('envelope');
    stops.push(() => dir.remove());
    const transport = fileTransport(dir.path, 'Sesame <auth@example.com>');
    stops.push(() => transport.close());
    const { file } = await transport.send(row(7, 'a,victim@x.io'));
    const eml = readFileSync(join(dir.path, file ?? ''), 'utf8');
    const to = /^To: (.*)$/m.exec(eml)?.[1] ?? '';
    expect(to).not.toBe('victim@x.io');
    expect(to).not.toMatch(/(^|[\s,<])victim@x\.io/);
  });
});
