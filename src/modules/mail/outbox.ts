/**
 * The outbox: messages are enqueued in the transaction of the change they announce, and a dispatcher sends them
 * afterwards, one claimed message at a time, retrying with back-off, so a message is neither lost (a restart, an SMTP
 * server down) nor sent twice (several workers or instances on one database).
 * @module
 */
import type { Clock } from '../../kernel/clock.js';
import type { Changes } from '../../kernel/events.js';
import type { Executor } from '../../kernel/database/tables.js';
import type { MailEvent } from './events.js';
import { UnopenableMessageError, type MailOutboxStore, type NewMessage, type OutboxMessage, type OutboxSummary, type RewrapBatch } from './store.js';
import type { MailTransport } from './transport.js';

/** Waits after the 1st, 2nd... failed try; the last one repeats. */
export const DEFAULT_BACKOFF_MS: readonly number[] = [10_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000];

/** Where the dispatcher reports (a pino logger fits); lines carry ids and kinds, never a body or a recipient. */
export interface MailLogger {
  /** A delivered message. */
  info(object: object, message: string): void;
  /** A failed try. */
  warn(object: object, message: string): void;
  /** A dispatcher round that failed (the database, usually); the next round tries again. */
  error(object: object, message: string): void;
}

/** How the dispatcher paces itself. */
export interface DispatchOptions {
  /** How often it looks for due messages, in ms (default 5 s); an enqueue on this instance wakes it at once. */
  readonly pollMs?: number;
  /** Waits between tries (default {@link DEFAULT_BACKOFF_MS}). */
  readonly backoffMs?: readonly number[];
  /** How long a claim holds before the message counts as due again (its dispatcher died), in ms (default 2 min). */
  readonly leaseMs?: number;
}

/** What {@link MailOutbox} is built from. */
export interface MailOutboxDeps {
  /** The outbox table. */
  readonly store: MailOutboxStore;
  /** Where the `mail.failed` events go. */
  readonly changes: Changes<MailEvent>;
  /** How messages leave. */
  readonly transport: MailTransport;
  /** The time. */
  readonly clock: Clock;
  /** Tries before `failed`. */
  readonly maxAttempts: number;
  /** Where it reports. */
  readonly log: MailLogger;
  /** Pacing. */
  readonly dispatch?: DispatchOptions;
}

/** The outbox and its dispatcher. */
export class MailOutbox {
  readonly #deps: MailOutboxDeps;
  readonly #pollMs: number;
  readonly #backoffMs: readonly number[];
  readonly #leaseMs: number;
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> = Promise.resolve();
  #busy = false;
  #again = false;
  #started = false;
  #stopped = false;

  /** Takes the store, the transport and the pacing. */
  constructor(deps: MailOutboxDeps) {
    this.#deps = deps;
    this.#pollMs = deps.dispatch?.pollMs ?? 5000;
    this.#backoffMs = deps.dispatch?.backoffMs ?? DEFAULT_BACKOFF_MS;
    this.#leaseMs = deps.dispatch?.leaseMs ?? 120_000;
  }

  /** Adds a message inside the caller's transaction, so it exists exactly when the change it announces commits. */
  async enqueue(executor: Executor, message: NewMessage): Promise<number> {
    return this.#deps.store.in(executor).enqueue(message, this.#deps.clock());
  }

  /** A message by id, as stored. */
  find(id: number): Promise<OutboxMessage | undefined> {
    return this.#deps.store.find(id);
  }

  /** The newest messages to an address, without their bodies: what an operator sees of an account's mail. */
  recentFor(recipient: string, limit = 20): Promise<OutboxSummary[]> {
    return this.#deps.store.listForRecipient(recipient, limit);
  }

  /** Deletes delivered and given-up messages enqueued before `before` (`MAIL_RETENTION`); pending ones stay whatever their age. */
  purgeBefore(before: number): Promise<number> {
    return this.#deps.store.purgeBefore(before);
  }

  /**
   * Re-seals under the current key every body sealed under another (a previous key, or before key ids), `batchSize`
   * rows at a time, each batch on its own so a long outbox never holds one long transaction. Idempotent and
   * resumable: what is already under the current key is never selected again, so an interrupted run is simply run
   * again. `afterEach` hears each batch (the CLI's progress).
   */
  async rewrap(batchSize = 500, afterEach?: (batch: RewrapBatch) => void): Promise<{ rewrapped: number; unopenable: RewrapBatch['unopenable'] }> {
    let afterId = 0;
    let rewrapped = 0;
    const unopenable: RewrapBatch['unopenable'][number][] = [];
    for (;;) {
      const batch = await this.#deps.store.rewrap(afterId, batchSize);
      afterEach?.(batch);
      rewrapped += batch.rewrapped;
      unopenable.push(...batch.unopenable);
      if (batch.lastId === undefined) return { rewrapped, unopenable };
      afterId = batch.lastId;
    }
  }

  /** How many stored bodies each key seals (see `MailOutboxStore.bodiesByKey`). */
  bodiesByKey(): Promise<Readonly<Record<string, number>>> {
    return this.#deps.store.bodiesByKey();
  }

  /** Starts polling; returns a function that stops it and waits for a send in flight. The timer never keeps the process alive. */
  start(): () => Promise<void> {
    this.#started = true;
    this.wake();
    this.#timer = setInterval(() => this.wake(), this.#pollMs);
    this.#timer.unref();
    return async () => {
      this.#stopped = true;
      clearInterval(this.#timer);
      await this.#round;
    };
  }

  /** Releases the transport's connections (after the dispatcher has stopped). */
  close(): void {
    this.#deps.transport.close();
  }

  /** Runs a round now (after a commit that enqueued something), or right after the one running. */
  wake(): void {
    if (!this.#started || this.#stopped) return;
    if (this.#busy) {
      this.#again = true;
      return;
    }
    this.#busy = true;
    this.#round = this.dispatchDue()
      .then(
        () => undefined,
        (error: unknown) => this.#deps.log.error({ err: error }, 'mail dispatch round failed'),
      )
      .finally(() => {
        this.#busy = false;
        if (this.#again) {
          this.#again = false;
          this.wake();
        }
      });
  }

  /** Sends every due message this dispatcher manages to claim; returns how many it delivered. */
  async dispatchDue(): Promise<number> {
    let delivered = 0;
    const skipped = new Set<number>();
    while (!this.#stopped) {
      const now = this.#deps.clock();
      const ids = (await this.#deps.store.due(now, now - this.#leaseMs, 20)).filter((id) => !skipped.has(id));
      if (ids.length === 0) return delivered;
      for (const id of ids) {
        if (this.#stopped) return delivered;
        skipped.add(id);
        const at = this.#deps.clock();
        let claimed: OutboxMessage | undefined;
        try {
          claimed = await this.#deps.store.claim(id, at, at - this.#leaseMs);
        } catch (error) {
          if (!(error instanceof UnopenableMessageError)) throw error;
          await this.#unopenable(error);
          continue;
        }
        if (claimed !== undefined && (await this.#send(claimed))) delivered += 1;
      }
    }
    return delivered;
  }

  /**
   * A claimed message whose body no configured key opens (its key was dropped from `SECRET_KEYS_PREVIOUS` before the
   * rewrap): a failed try like any other (back-off, then `failed` after `MAIL_MAX_ATTEMPTS`), logged as an error that
   * names the key's id and the remedy, so the operator can put the key back before the message is given up.
   */
  async #unopenable(error: UnopenableMessageError): Promise<void> {
    const attempts = error.attempts + 1;
    const giveUp = attempts >= this.#deps.maxAttempts;
    const wait = this.#backoffMs[Math.min(attempts, this.#backoffMs.length) - 1] ?? 60_000;
    const reason = error.keyId === undefined ? 'sealed under a key that is not configured' : `sealed under key ${error.keyId}, which is not configured`;
    await this.#deps.changes.transact(async (tx, record) => {
      await this.#deps.store.in(tx).markFailed(error.messageId, attempts, reason, this.#deps.clock() + wait, giveUp);
      await record({ type: 'mail.failed', context: { actor: 'system' }, detail: { mailId: error.messageId, kind: error.kind, attempts, gaveUp: giveUp } });
    });
    this.#deps.log.error({ mailId: error.messageId, kind: error.kind, attempts, keyId: error.keyId, ...(giveUp ? {} : { retryInMs: wait }) }, error.message);
  }

  /** One try of a claimed message: marks it sent, or schedules the next try, or gives up. */
  async #send(message: OutboxMessage): Promise<boolean> {
    const attempts = message.attempts + 1;
    try {
      const { file } = await this.#deps.transport.send(message);
      await this.#deps.store.markSent(message.id, attempts, this.#deps.clock());
      this.#deps.changes.publish({ type: 'mail.sent', context: { actor: 'system' }, detail: { kind: message.kind, channel: message.channel, attempts }, countOnly: true });
      this.#deps.log.info({ mailId: message.id, kind: message.kind, attempts, ...(file === undefined ? {} : { file }) }, file === undefined ? 'mail sent' : 'mail written to the development outbox');
      return true;
    } catch (error) {
      const reason = scrub(error instanceof Error ? error.message : String(error), message.text_body);
      const giveUp = attempts >= this.#deps.maxAttempts;
      const wait = this.#backoffMs[Math.min(attempts, this.#backoffMs.length) - 1] ?? 60_000;
      const next = this.#deps.clock() + wait;
      await this.#deps.changes.transact(async (tx, record) => {
        await this.#deps.store.in(tx).markFailed(message.id, attempts, reason, next, giveUp);
        await record({ type: 'mail.failed', context: { actor: 'system' }, detail: { mailId: message.id, kind: message.kind, attempts, gaveUp: giveUp } });
      });
      this.#deps.log.warn(
        { mailId: message.id, kind: message.kind, attempts, reason, ...(giveUp ? {} : { retryInMs: wait }) },
        giveUp ? 'mail delivery failed for good' : 'mail delivery failed: will try again',
      );
      return false;
    }
  }
}

/** The error cut short, with any long word of the body (a token) masked, since servers may echo what they refused. */
function scrub(reason: string, body: string): string {
  let text = reason.slice(0, 500);
  for (const word of new Set(body.match(/[A-Za-z0-9_-]{16,}/g) ?? [])) text = text.split(word).join('***');
  return text.slice(0, 200);
}
