/**
 * How a message leaves: SMTP through nodemailer, or, in development without `SMTP_URL`, an RFC 5322 `.eml` file per
 * message in a directory, so the flows that send mail can be tried without a mail server.
 * @module
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import type { OutboxMessage } from './store.js';

/** Sends one message; resolves with what the log may say about where it went (never the body), or rejects. */
export interface MailTransport {
  /** Delivers the message, or throws. */
  send(message: OutboxMessage): Promise<{ readonly file?: string }>;
  /** Releases connections. */
  close(): void;
}

/**
 * The nodemailer fields of an outbox row. The recipient goes in as an address object, in `To:` and in an explicit
 * envelope, so nodemailer never parses the stored string as a header: parsed, `a,victim@x.io` is a list and
 * `name<victim@x.io` a display name before another address, and the message would go to a mailbox the account
 * never proved. Addresses are checked when they enter (see the users module's `checkedEmail`), but rows older than
 * that rule are sent as they are stored: to the one mailbox the whole string names, or refused by the server.
 * `MAIL FROM` is the address part of `MAIL_FROM`, the operator's own setting.
 */
function mailOf(from: string, message: OutboxMessage): SendMailOptions {
  const to = { name: '', address: message.recipient };
  return {
    from,
    to,
    envelope: { from, to: [to] },
    subject: message.subject,
    text: message.text_body,
    ...(message.html_body === null ? {} : { html: message.html_body }),
    headers: { 'Auto-Submitted': 'auto-generated' },
  };
}

/**
 * SMTP to `url`. Timeouts are short (well under the outbox's lease), so a hung server fails the try instead of
 * leaving a claimed message that another dispatcher would send again.
 */
export function smtpTransport(url: string, from: string): MailTransport {
  const transporter = nodemailer.createTransport({ url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });
  return {
    async send(message) {
      await transporter.sendMail(mailOf(from, message));
      return {};
    },
    close: () => transporter.close(),
  };
}

/** Writes each message to `<dir>/<id>-<kind>.eml` (development only: nothing leaves the machine). */
export function fileTransport(dir: string, from: string): MailTransport {
  const builder = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(message) {
      const built = (await builder.sendMail(mailOf(from, message))) as { message: Buffer };
      await mkdir(dir, { recursive: true });
      const file = `${message.id}-${message.kind}.eml`;
      await writeFile(join(dir, file), built.message, { mode: 0o600 });
      return { file };
    },
    close: () => builder.close(),
  };
}

/** Production without `SMTP_URL`: every try fails, so a message waits (and its failure shows) instead of landing in a file. */
export function refusingTransport(): MailTransport {
  return {
    send: () => Promise.reject(new Error('SMTP_URL is not set')),
    close: () => undefined,
  };
}
