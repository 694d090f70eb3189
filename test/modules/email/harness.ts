/**
 * What the email suites share: a whole Sesame on a loopback port over SQLite or PostgreSQL with a fast mail
 * dispatcher and its log captured, a real SMTP receiver, and readers for what a received message says (its subject,
 * its link's token, its code).
 * @module
 */
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { buildServer } from '../../../src/bin/app.js';
import { loadConfig } from '../../../src/config.js';
import type { Clock } from '../../../src/kernel/clock.js';
import { createSesame, type MailOptions, type Sesame } from '../../../src/sesame.js';
import { createPostgresSchema, type EngineCase } from '../../support/engines.js';
import { send, type Reply } from '../../support/http.js';
import { captureStream } from '../../support/in-process.js';
import { outboxSettled, until, type SettledRow } from '../../support/mail-doubles.js';
import { SLOW_MACHINE_DATABASE, SLOW_MACHINE_SCORING } from '../../support/settings.js';
import { startSmtpReceiver, type ReceivedMail, type SmtpReceiver } from '../../support/smtp.js';
import { makeTempDir } from '../../support/temp.js';

/** A running service. */
export interface MailService {
  readonly url: string;
  readonly sesame: Sesame;
  /** Everything logged so far (pino JSON lines, level info). */
  logs(): string;
  stop(): Promise<void>;
}

/** Things to stop after each test, newest first. */
const running: Array<{ stop(): Promise<void> }> = [];

/** Registers the after-each cleanup of every service and receiver this module starts (call once per file). */
export function useCleanup(): void {
  afterEach(async () => {
    for (const item of running.splice(0).reverse()) await item.stop();
  });
}

/**
 * Settings every email suite starts from: SMTP-style mail, links under a public URL, no rate limits in the way, and
 * database and scoring bounds for a busy machine (none of these suites is about them).
 */
export const BASE_ENV: Readonly<Record<string, string>> = {
  ...SLOW_MACHINE_SCORING,
  ...SLOW_MACHINE_DATABASE,
  BCRYPT_COST: '4',
  LOG_LEVEL: 'info',
  MAX_EVENT_LOOP_DELAY: '0',
  RATE_LIMIT_ENABLED: 'false',
  MAIL_FROM: 'Sesame <auth@example.com>',
  PUBLIC_URL: 'https://auth.example.com/sesame',
};

/**
 * The bound of a test on the production profile, in ms: bcrypt at cost 10 and zxcvbn scoring on worker threads are
 * CPU work that, beside CPU burners and other suites on two cores, takes minutes instead of seconds. A bound for a busy
 * machine; nothing in those tests waits for time to pass.
 */
export const PRODUCTION_PROFILE_TIMEOUT_MS = 240_000;

/** Options of {@link startMailService}. */
export interface MailServiceOptions {
  /** The engine to store on (default SQLite). */
  readonly engine?: EngineCase['name'];
  readonly mail?: MailOptions;
  readonly clock?: Clock;
  /** Settings of {@link BASE_ENV} to leave out (say `MAIL_FROM`, for a service with no mail set up). */
  readonly omit?: readonly string[];
}

/**
 * Starts the standalone server on 127.0.0.1:0 over a fresh database of the engine (a temp SQLite file, or a new
 * PostgreSQL schema), with {@link BASE_ENV} under `env` and a dispatcher polling every 30 ms; stopped after the test.
 * Tests wait for what the dispatcher does through {@link nthMail}, {@link until} and {@link mailSettled}, never a sleep.
 */
export async function startMailService(env: Readonly<Record<string, string>>, options: MailServiceOptions = {}): Promise<MailService> {
  const dir = makeTempDir('email');
  const schema = options.engine === 'postgres' ? await createPostgresSchema('email') : undefined;
  const base = Object.fromEntries(Object.entries(BASE_ENV).filter(([name]) => !(options.omit ?? []).includes(name)));
  const config = loadConfig({
    ...base,
    DATABASE_URL: schema?.url ?? `sqlite:${join(dir.path, 'sesame.db')}`,
    MAIL_OUTBOX_DIR: join(dir.path, 'outbox'),
    ...env,
    PORT: '0',
    HOST: '127.0.0.1',
  });
  const log = captureStream();
  const sesame = await createSesame(config, {
    logStream: log.stream,
    sweeper: false,
    mail: { outboxDir: join(dir.path, 'outbox'), dispatch: { pollMs: 30, backoffMs: [200] }, ...options.mail },
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  const app = await buildServer(sesame);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const service: MailService = {
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    sesame,
    logs: log.text,
    async stop() {
      await app.close();
      await schema?.drop();
      dir.remove();
    },
  };
  running.push(service);
  return service;
}

/** Starts an SMTP receiver, stopped after the test. */
export async function receiver(): Promise<SmtpReceiver> {
  const smtp = await startSmtpReceiver();
  running.push(smtp);
  return smtp;
}

/** Registers something else to stop after the test. */
export function stopAfter(item: { stop(): Promise<void> }): void {
  running.push(item);
}

/** Waits until `check` holds (every 10 ms, at most a busy machine's bound), else throws `what`. */
export { until };

/**
 * Waits until every message the service's outbox holds is sent (or given up), and returns the rows: from then on the
 * receiver holds all the mail those rows will ever bring, so "nothing else was mailed" needs no quiet moment.
 */
export function mailSettled(service: MailService): Promise<SettledRow[]> {
  return outboxSettled(service.sesame.storage.kysely);
}

/** Waits for the receiver to hold `count` messages, then returns the newest. */
export async function nthMail(smtp: SmtpReceiver, count: number): Promise<ReceivedMail> {
  await until(() => smtp.received.length >= count, `${count} mail(s), have ${smtp.received.length}`);
  const mail = smtp.received[count - 1];
  if (mail === undefined) throw new Error('no mail');
  return mail;
}

/** Decodes RFC 2047 encoded words (`=?UTF-8?Q?...?=`, `=?UTF-8?B?...?=`), dropping the space between two of them. */
function decodeWords(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[QB]\?[^?]*\?=)\s+(?==\?)/gi, '$1')
    .replace(/=\?([^?]+)\?([QB])\?([^?]*)\?=/gi, (_match, _charset: string, encoding: string, text: string) => {
      if (encoding.toUpperCase() === 'B') return Buffer.from(text, 'base64').toString('utf8');
      const bytes = text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
      return Buffer.from(bytes, 'latin1').toString('utf8');
    });
}

/** A header of a raw message, unfolded and decoded, or undefined. */
export function headerOf(raw: string, name: string): string | undefined {
  const end = raw.search(/\r?\n\r?\n/);
  const head = (end < 0 ? raw : raw.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const line = head.split(/\r?\n/).find((text) => text.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line === undefined ? undefined : decodeWords(line.slice(name.length + 1).trim());
}

/** The decoded subject of a message. */
export function subjectOf(mail: ReceivedMail): string {
  return headerOf(mail.raw, 'subject') ?? '';
}

/** The token of the first `/account/<page>?token=` link in a message. */
export function linkToken(mail: ReceivedMail, page = 'verify'): string {
  const match = new RegExp(`https://auth\\.example\\.com/sesame/account/${page}\\?token=([^\\s"<&]+)`).exec(mail.text);
  if (match?.[1] === undefined) throw new Error(`no /account/${page} link in ${mail.text}`);
  return decodeURIComponent(match[1]);
}

/** The `NNNN-NNNN` code of a message: on a line of its own, indented (a UUID token may hold `1234-5678` too). */
export function codeOf(mail: ReceivedMail): string {
  const match = /^ {4}(\d{4}-\d{4})\r?$/m.exec(mail.text);
  if (match?.[1] === undefined) throw new Error(`no code in ${mail.text}`);
  return match[1];
}

/** A code of eight digits that differs from `code` (the same digits rotated, or one digit changed). */
export function wrongCode(code: string): string {
  const digits = code.replace(/\D/g, '');
  const last = Number(digits.at(-1) ?? '0');
  const changed = `${digits.slice(0, 7)}${(last + 1) % 10}`;
  return `${changed.slice(0, 4)}-${changed.slice(4)}`;
}

/** POST /users. */
export function register(url: string, email: string, password: string, headers: Readonly<Record<string, string>> = {}): Promise<Reply> {
  return send(url, 'POST', '/users', { form: { email, password }, headers });
}

/** POST /sessions. */
export function login(url: string, email: string, password: string, headers: Readonly<Record<string, string>> = {}): Promise<Reply> {
  return send(url, 'POST', '/sessions', { form: { email, password }, headers });
}

/** POST /email/verify with a JSON body. */
export function verify(url: string, body: Readonly<Record<string, string>>): Promise<Reply> {
  return send(url, 'POST', '/email/verify', { json: body });
}

/** Mails received by one address. */
export function mailsTo(smtp: SmtpReceiver, address: string): ReceivedMail[] {
  return smtp.received.filter((mail) => mail.to.includes(address));
}

/** Rows of the outbox, oldest first. */
export async function outboxRows(sesame: Sesame): Promise<Array<{ id: number; kind: string; recipient: string; channel: string; text_body: string }>> {
  return sesame.storage.kysely.selectFrom('mail_outbox').select(['id', 'kind', 'recipient', 'channel', 'text_body']).orderBy('id').execute();
}
