/**
 * A real SMTP receiver for the mail suites: `smtp-server` on a loopback port, collecting every message it accepts,
 * which a test can stop (the server is down: connections are refused) and start again on the same port.
 * @module
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A message as received, with its envelope and its raw RFC 5322 text. */
export interface ReceivedMail {
  /** `RCPT TO` addresses. */
  readonly to: readonly string[];
  /** The `MAIL FROM` address (empty for a bounce). */
  readonly from: string;
  /** The whole message as sent. */
  readonly raw: string;
  /** The message's size on the wire, in bytes. */
  readonly bytes: number;
  /** The text part, quoted-printable decoded. */
  readonly text: string;
  /** When it arrived, in epoch ms. */
  readonly at: number;
}

/** A running receiver. */
export interface SmtpReceiver {
  /** `smtp://127.0.0.1:<port>`. */
  readonly url: string;
  /** Everything received so far. */
  readonly received: ReceivedMail[];
  /** Stops listening (new connections are refused). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  restart(): Promise<void>;
}

/** Decodes quoted-printable text (soft line breaks and `=XX` escapes). */
export function decodeQuotedPrintable(text: string): string {
  return text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** The text/plain part of a raw message, decoded. */
function textOf(raw: string): string {
  const separator = raw.indexOf('\r\n\r\n') >= 0 ? '\r\n\r\n' : '\n\n';
  const body = raw.slice(raw.indexOf(separator) + separator.length);
  return /content-transfer-encoding:\s*quoted-printable/i.test(raw) ? decodeQuotedPrintable(body) : body;
}

/** Starts a receiver on 127.0.0.1 (port 0, or `port`); no TLS, no authentication required. */
export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const received: ReceivedMail[] = [];
  let server: SMTPServer;
  const listen = (port: number): Promise<number> => {
    server = new SMTPServer({
      secure: false,
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          const text = raw.toString('utf8');
          const mailFrom = session.envelope.mailFrom;
          received.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address), from: mailFrom === false ? '' : mailFrom.address, raw: text, bytes: raw.length, text: textOf(text), at: Date.now() });
          callback();
        });
      },
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.server.address() as AddressInfo).port));
    });
  };
  const port = await listen(0);
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
    restart: async () => {
      await listen(port);
    },
  };
}

/**
 * The 8-digit code of a Sesame message's text part, or undefined: it stands on its own indented line, which is how it
 * is found (a UUID token in the same message may hold `1234-5678` too).
 */
export function mailedCode(text: string): string | undefined {
  return /^ {4}(\d{4}-\d{4})\r?$/m.exec(text)?.[1];
}
