/**
 * Barriers for the mail suites (issue 23, "Deterministic"): the outbox dispatcher polls on a timer and delivery is
 * asynchronous, so a test waits for an event (a message at the receiver, an outbox row's state, a send reaching a
 * transport the test holds) instead of sleeping, and proves "nothing more is sent" from the outbox rows, which are
 * written in the transaction of the change they announce, rather than from a quiet moment.
 * @module
 */
import type { StorageOptions } from '../../src/kernel/database/storage.js';
import type { Executor } from '../../src/kernel/database/tables.js';
import type { MailTransport, OutboxMessage } from '../../src/modules/mail/index.js';
import { waitUntil } from './ops-doubles.js';
import { SLOW_DATABASE_MS } from './settings.js';
import type { ReceivedMail, SmtpReceiver } from './smtp.js';

/**
 * How long a mail barrier waits before it gives up, in ms: a bound for a busy, shared machine (two burners on two
 * cores), never a time the test relies on passing.
 */
export const MAIL_WAIT_MS = 60_000;

/**
 * Storage bounds for the mail suites' own database handles (the SLOW_MACHINE_DATABASE of test/support/settings.ts, as
 * storage options): the defaults (a 1 s connection, a 1.5 s statement) are for production, and a migration beside CPU
 * burners and other suites' DDL can take longer. The database fault suites prove the short bounds.
 */
export const SLOW_MACHINE_STORAGE: StorageOptions = { connectTimeoutMs: SLOW_DATABASE_MS, statementTimeoutMs: SLOW_DATABASE_MS, busyTimeoutMs: SLOW_DATABASE_MS };

/** Polls `check` every 10 ms until it holds; throws naming `what` if it still does not after `ms` (the shared {@link waitUntil}). */
export function until(check: () => boolean | Promise<boolean>, what = 'condition', ms = MAIL_WAIT_MS): Promise<void> {
  return waitUntil(check, what, ms, 10);
}

/** Waits for the newest message to `address` whose text contains `needle`, and returns it. */
export async function mailTo(smtp: SmtpReceiver, address: string, needle: string): Promise<ReceivedMail> {
  const find = (): ReceivedMail | undefined => smtp.received.filter((mail) => mail.to.includes(address) && mail.text.includes(needle)).at(-1);
  await until(() => find() !== undefined, `a message to ${address} containing ${needle}`);
  return find() as ReceivedMail;
}

/** One outbox row as {@link outboxSettled} reports it. */
export interface SettledRow {
  readonly id: number;
  readonly status: string;
  readonly kind: string;
  readonly recipient: string;
}

/**
 * Waits until no outbox row is `pending` or `sending` (every message enqueued so far is sent or given up) and returns
 * the rows, oldest first. A row is marked `sent` only after the SMTP receiver (or webhook) acknowledged it, and a sent
 * row is never claimed again, so once this resolves the receiver holds everything those rows will ever deliver: a
 * test can then say "nothing more" without sleeping.
 */
export async function outboxSettled(db: Executor): Promise<SettledRow[]> {
  const rows = async (): Promise<SettledRow[]> =>
    (await db.selectFrom('mail_outbox').select(['id', 'status', 'kind', 'recipient']).orderBy('id').execute()).map((row) => ({ ...row, id: Number(row.id) }));
  await until(async () => (await rows()).every((row) => row.status !== 'pending' && row.status !== 'sending'), 'every outbox message sent or given up');
  return rows();
}

/**
 * A transport in front of another whose sends wait at a gate until the test opens it: while the gate is shut a
 * message is provably claimed and in flight, so a test can show that a request answered without waiting for its
 * delivery, or that another dispatcher leaves the claim alone.
 */
export class GatedTransport implements MailTransport {
  readonly #inner: MailTransport;
  readonly #arrived: OutboxMessage[] = [];
  #waiters: Array<() => void> = [];
  #open: () => void = () => undefined;
  readonly #gate = new Promise<void>((open) => {
    this.#open = open;
  });

  /** Wraps `inner`; the gate starts shut. */
  constructor(inner: MailTransport) {
    this.#inner = inner;
  }

  /** Every message that reached the gate so far, in order. */
  get arrived(): readonly OutboxMessage[] {
    return this.#arrived;
  }

  /** Resolves with the `count`-th message (1-based) to reach the gate, once it has. */
  async arrival(count = 1): Promise<OutboxMessage> {
    while (this.#arrived.length < count) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    return this.#arrived[count - 1] as OutboxMessage;
  }

  /** Lets the held sends, and every later one, through to the inner transport. */
  open(): void {
    this.#open();
  }

  /** Records the message, waits for the gate, then sends it through the inner transport. */
  async send(message: OutboxMessage): Promise<{ readonly file?: string }> {
    this.#arrived.push(message);
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
    await this.#gate;
    return this.#inner.send(message);
  }

  /** Closes the inner transport. */
  close(): void {
    this.#inner.close();
  }
}
