/**
 * Where the outbox is kept: the `MailOutboxStore` port the mail service uses, and its Kysely implementation. Claims
 * are conditional updates, so of several dispatchers (workers, instances) exactly one sends a given message.
 * @module
 */
import { sql, type Selectable } from 'kysely';
import type { Executor } from '../../kernel/database/tables.js';
import { UnknownSealingKeyError } from '../../kernel/sealing.js';
import type { MailChannel, MailOutboxTable } from './schema.js';
import { PLAIN_BODIES, type BodySealer } from './sealed-bodies.js';

/** One outbox row as read. */
export type OutboxMessage = Selectable<MailOutboxTable>;

/** A message to enqueue. */
export interface NewMessage {
  /** What it is for (`password_reset`). */
  readonly kind: string;
  /** The address it goes to. */
  readonly recipient: string;
  /** The subject line. */
  readonly subject: string;
  /** The plain-text body. */
  readonly text: string;
  /** The HTML body, if any. */
  readonly html?: string;
  /** How it leaves (default `email`); a `webhook` message's text is the JSON body posted. */
  readonly channel?: MailChannel;
}

/**
 * A message whose bodies no configured key opens (sealed under a key that is neither `SECRET_KEY` nor in
 * `SECRET_KEYS_PREVIOUS`): what the dispatcher needs to record the failed try, and the key's id (never a key).
 */
export class UnopenableMessageError extends Error {
  /** Takes the message's id, kind and attempts so far, and the id of the key its body names (undefined: sealed before key ids). */
  constructor(
    readonly messageId: number,
    readonly kind: string,
    readonly attempts: number,
    readonly keyId: string | undefined,
  ) {
    super(new UnknownSealingKeyError(keyId).message.replace('a value is sealed', 'the message is sealed'));
    this.name = 'UnopenableMessageError';
  }
}

/** One batch of {@link MailOutboxStore.rewrap}: what it looked at and did, and where the next batch starts. */
export interface RewrapBatch {
  /** Rows whose bodies were not sealed under the current key. */
  readonly found: number;
  /** Of those, re-sealed under the current key now. */
  readonly rewrapped: number;
  /** Ids of rows no configured key opens (left as they are), with the key id their body names. */
  readonly unopenable: readonly { readonly id: number; readonly keyId: string | undefined }[];
  /** The highest id looked at: the next batch starts after it; undefined when there was nothing left. */
  readonly lastId: number | undefined;
}

/** What the mail service needs of storage; a store bound to a transaction writes in it. */
export interface MailOutboxStore {
  /** The same store writing inside a transaction. */
  in(executor: Executor): MailOutboxStore;
  /**
   * Adds a message, due at once; returns its id. `suppressed` writes it in that state instead of `pending`: no
   * dispatcher ever claims it, the counts below leave it out, and the sweeper purges it like a sent one.
   */
  enqueue(message: NewMessage, now: number, status?: 'pending' | 'suppressed'): Promise<number>;
  /**
   * Ids of messages due at `now`, oldest first: pending ones whose time has come, and `sending` ones claimed before
   * `staleBefore` (their dispatcher died mid-send).
   */
  due(now: number, staleBefore: number, limit: number): Promise<number[]>;
  /** Claims one due message for sending; undefined when another dispatcher got it first or it is no longer due. */
  claim(id: number, now: number, staleBefore: number): Promise<OutboxMessage | undefined>;
  /** Marks a claimed message delivered. */
  markSent(id: number, attempts: number, now: number): Promise<void>;
  /** Records a failed try: back to pending at `nextAttemptAt`, or `failed` for good when `giveUp` (its bodies then cleared). */
  markFailed(id: number, attempts: number, error: string, nextAttemptAt: number, giveUp: boolean): Promise<void>;
  /** One message by id (for tests and operators). */
  find(id: number): Promise<OutboxMessage | undefined>;
  /**
   * How many messages were enqueued for a recipient since `since` (epoch ms), whatever became of them, leaving out
   * the kinds in `except` and suppressed rows (never meant to be sent): the per-recipient limit counts them.
   */
  countSince(recipient: string, since: number, except?: readonly string[]): Promise<number>;
  /** How many messages of one kind were enqueued for a recipient since `since`, suppressed rows left out. */
  countKindSince(kind: string, recipient: string, since: number): Promise<number>;
  /** The newest messages for a recipient (without bodies, which may carry tokens), newest first: the admin API's view of an account's mail. */
  listForRecipient(recipient: string, limit: number): Promise<OutboxSummary[]>;
  /** Deletes sent, failed and suppressed messages enqueued before `before`; returns how many (the sweeper's retention). */
  purgeBefore(before: number): Promise<number>;
  /**
   * Re-seals under the current key up to `limit` rows after id `afterId` whose bodies are not sealed under it (sealed
   * under a previous key, before key ids, or not at all). A row is rewritten only if its bodies are still what was
   * read, so a message sent meanwhile keeps its emptied body; a row no configured key opens is left and reported.
   */
  rewrap(afterId: number, limit: number): Promise<RewrapBatch>;
  /**
   * How many rows still hold bodies, by the key they are sealed under: a key id, `v1` (sealed before key ids) or
   * `plain` (stored before sealing); `sesame config check` says from it whether a previous key is still needed.
   */
  bodiesByKey(): Promise<Readonly<Record<string, number>>>;
}

/** An outbox row without its bodies: what operators may see. */
export type OutboxSummary = Omit<OutboxMessage, 'text_body' | 'html_body'>;

/** {@link MailOutboxStore} over Kysely. */
export class KyselyMailOutboxStore implements MailOutboxStore {
  readonly #db: Executor;
  readonly #bodies: BodySealer;

  /** Takes the executor to query through and how bodies are sealed at rest (default: not, for tests that read them). */
  constructor(db: Executor, bodies: BodySealer = PLAIN_BODIES) {
    this.#db = db;
    this.#bodies = bodies;
  }

  /** {@inheritDoc MailOutboxStore.in} */
  in(executor: Executor): MailOutboxStore {
    return new KyselyMailOutboxStore(executor, this.#bodies);
  }

  /** {@inheritDoc MailOutboxStore.enqueue} */
  async enqueue(message: NewMessage, now: number, status: 'pending' | 'suppressed' = 'pending'): Promise<number> {
    const row = await this.#db
      .insertInto('mail_outbox')
      .values({
        kind: message.kind,
        recipient: message.recipient,
        subject: message.subject,
        text_body: this.#bodies.seal(message.text),
        html_body: message.html === undefined ? null : this.#bodies.seal(message.html),
        channel: message.channel ?? 'email',
        status,
        attempts: 0,
        next_attempt_at: now,
        created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** {@inheritDoc MailOutboxStore.due} */
  async due(now: number, staleBefore: number, limit: number): Promise<number[]> {
    const rows = await this.#db
      .selectFrom('mail_outbox')
      .select('id')
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', now)]),
          eb.and([eb('status', '=', 'sending'), eb('next_attempt_at', '<', staleBefore)]),
        ]),
      )
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((row) => row.id);
  }

  /** {@inheritDoc MailOutboxStore.claim} */
  async claim(id: number, now: number, staleBefore: number): Promise<OutboxMessage | undefined> {
    // The same condition as `due`, checked again by the update itself: of racing dispatchers only one changes the row.
    const result = await this.#db
      .updateTable('mail_outbox')
      .set({ status: 'sending', next_attempt_at: now })
      .where('id', '=', id)
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', now)]),
          eb.and([eb('status', '=', 'sending'), eb('next_attempt_at', '<', staleBefore)]),
        ]),
      )
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return undefined;
    return this.find(id);
  }

  /** {@inheritDoc MailOutboxStore.markSent} */
  async markSent(id: number, attempts: number, now: number): Promise<void> {
    // A delivered message's bodies (its link, its code) have done their work: only the record of the delivery stays.
    await this.#db.updateTable('mail_outbox').set({ status: 'sent', attempts, sent_at: now, last_error: null, text_body: '', html_body: null }).where('id', '=', id).execute();
  }

  /** {@inheritDoc MailOutboxStore.markFailed} */
  async markFailed(id: number, attempts: number, error: string, nextAttemptAt: number, giveUp: boolean): Promise<void> {
    // A message given up on is never sent: its bodies (a live link and code, sealed or not) go, as a sent one's do.
    const bodies = giveUp ? { text_body: '', html_body: null } : {};
    await this.#db
      .updateTable('mail_outbox')
      .set({ status: giveUp ? 'failed' : 'pending', attempts, last_error: error.slice(0, 250), next_attempt_at: nextAttemptAt, ...bodies })
      .where('id', '=', id)
      .execute();
  }

  /** {@inheritDoc MailOutboxStore.find}; throws {@link UnopenableMessageError} for bodies no configured key opens. */
  async find(id: number): Promise<OutboxMessage | undefined> {
    const row = await this.#db.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirst();
    if (row === undefined) return undefined;
    try {
      return { ...row, text_body: this.#bodies.open(row.text_body), html_body: row.html_body === null ? null : this.#bodies.open(row.html_body) };
    } catch (error) {
      if (error instanceof UnknownSealingKeyError) throw new UnopenableMessageError(row.id, row.kind, row.attempts, error.keyId);
      throw error;
    }
  }

  /** {@inheritDoc MailOutboxStore.rewrap} */
  async rewrap(afterId: number, limit: number): Promise<RewrapBatch> {
    const current = this.#bodies.currentPrefix;
    if (current === undefined) return { found: 0, rewrapped: 0, unopenable: [], lastId: undefined };
    // Rows still holding a body (sent and given-up ones were emptied) not sealed under the current key. The prefix
    // is `sealed:v2:<8 hex>:`, so LIKE has no wildcard to escape in it.
    const rows = await this.#db
      .selectFrom('mail_outbox')
      .select(['id', 'text_body', 'html_body'])
      .where('id', '>', afterId)
      .where((eb) =>
        eb.or([
          eb.and([eb('text_body', '!=', ''), eb('text_body', 'not like', `${current}%`)]),
          eb.and([eb('html_body', 'is not', null), eb('html_body', 'not like', `${current}%`)]),
        ]),
      )
      .orderBy('id')
      .limit(limit)
      .execute();
    let rewrapped = 0;
    const unopenable: { id: number; keyId: string | undefined }[] = [];
    for (const row of rows) {
      let text: string;
      let html: string | null;
      try {
        text = this.#bodies.open(row.text_body);
        html = row.html_body === null ? null : this.#bodies.open(row.html_body);
      } catch (error) {
        if (!(error instanceof UnknownSealingKeyError)) throw error;
        unopenable.push({ id: row.id, keyId: error.keyId });
        continue;
      }
      // Only if unchanged since read: a dispatcher may have sent (and emptied) it, or another rewrap re-sealed it.
      let update = this.#db
        .updateTable('mail_outbox')
        .set({ text_body: text === '' ? '' : this.#bodies.seal(text), html_body: html === null ? null : this.#bodies.seal(html) })
        .where('id', '=', row.id)
        .where('text_body', '=', row.text_body);
      update = row.html_body === null ? update.where('html_body', 'is', null) : update.where('html_body', '=', row.html_body);
      const result = await update.executeTakeFirst();
      rewrapped += Number(result.numUpdatedRows);
    }
    return { found: rows.length, rewrapped, unopenable, lastId: rows.at(-1)?.id };
  }

  /** {@inheritDoc MailOutboxStore.bodiesByKey} */
  async bodiesByKey(): Promise<Readonly<Record<string, number>>> {
    // `sealed:v2:` is 10 characters and a key id 8: the first 18 name the key (substr is the same on both engines).
    const rows = await this.#db
      .selectFrom('mail_outbox')
      .select([sql<string>`substr(text_body, 1, 18)`.as('head'), (eb) => eb.fn.countAll<number | string | bigint>().as('n')])
      .where('text_body', '!=', '')
      .groupBy(sql`substr(text_body, 1, 18)`)
      .execute();
    const counts: Record<string, number> = {};
    for (const { head, n } of rows) {
      const key = head.startsWith('sealed:v2:') ? head.slice(10) : head.startsWith('sealed:v1:') ? 'v1' : 'plain';
      counts[key] = (counts[key] ?? 0) + Number(n);
    }
    return counts;
  }

  /** {@inheritDoc MailOutboxStore.countSince} */
  async countSince(recipient: string, since: number, except: readonly string[] = []): Promise<number> {
    let query = this.#db
      .selectFrom('mail_outbox')
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
      .where('recipient', '=', recipient)
      .where('created_at', '>=', since)
      .where('status', '!=', 'suppressed');
    if (except.length > 0) query = query.where('kind', 'not in', [...except]);
    const row = await query.executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** {@inheritDoc MailOutboxStore.countKindSince} */
  async countKindSince(kind: string, recipient: string, since: number): Promise<number> {
    const row = await this.#db
      .selectFrom('mail_outbox')
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
      .where('recipient', '=', recipient)
      .where('kind', '=', kind)
      .where('created_at', '>=', since)
      .where('status', '!=', 'suppressed')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** {@inheritDoc MailOutboxStore.listForRecipient} */
  async listForRecipient(recipient: string, limit: number): Promise<OutboxSummary[]> {
    return this.#db
      .selectFrom('mail_outbox')
      .select(['id', 'kind', 'channel', 'recipient', 'subject', 'status', 'attempts', 'next_attempt_at', 'last_error', 'created_at', 'sent_at'])
      .where('recipient', '=', recipient)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
  }

  /** {@inheritDoc MailOutboxStore.purgeBefore} */
  async purgeBefore(before: number): Promise<number> {
    const result = await this.#db.deleteFrom('mail_outbox').where('status', 'in', ['sent', 'failed', 'suppressed']).where('created_at', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
