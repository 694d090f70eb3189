/**
 * Events: services say what happened (an account created, a login failed, sessions revoked) as typed values, and
 * whoever cares subscribes. Storing subscribers (the audit log) write in the same transaction as the change the event
 * records, so the record and the change commit or fail together; the others (logs, metrics) hear of it once the
 * transaction has committed. The kernel knows no event type: each module declares its own.
 * @module
 */
import type { Kysely, Transaction } from 'kysely';
import type { Executor, SesameTables } from './database/tables.js';

/** Who did it and from where: the request's coordinates, never its content. */
export interface EventContext {
  /** `user` for a request of the account's owner (later `admin-token:<id>`, `cli:<os user>`). */
  readonly actor: string;
  /** The request's id, to find its log lines. */
  readonly requestId?: string;
  /** The client's address as the server sees it (after `TRUST_PROXY`). */
  readonly ip?: string;
  /** The client's `User-Agent`. */
  readonly userAgent?: string;
}

/** An event's context when no request carries it (a call through the seed facade, a test). */
export const NO_REQUEST: EventContext = { actor: 'user' };

/** What every event carries; modules narrow `type` to their own names. */
export interface SesameEvent<Type extends string = string> {
  /** What happened, as a stable dotted name (`login.failed`). */
  readonly type: Type;
  /** Who and where. */
  readonly context: EventContext;
  /**
   * The account it is about: its id when one exists, else the email as typed (an unknown account), which storing
   * subscribers pseudonymise. Absent for hostile traffic that names no account.
   */
  readonly account?: { readonly userId: number } | { readonly email: string };
  /** A few facts worth keeping (counts, reasons); never a password, token, session id or email. */
  readonly detail?: Readonly<Record<string, string | number | boolean>>;
  /** Hostile or unauthenticated traffic (a rate-limit or cross-site refusal): logged and counted, never stored. */
  readonly traffic?: true;
  /** Routine work told only to counters (a message delivered): never stored, and not logged here (its module logs it). */
  readonly countOnly?: true;
}

/** Stores an event inside the transaction of the change it records. */
export type EventStore<E extends SesameEvent> = (executor: Executor, event: E) => Promise<void>;

/** Hears of an event after its transaction committed (or at once, for an event that changes nothing). */
export type EventListener<E extends SesameEvent> = (event: E) => void;

/** What a service needs to record what it does: a transaction that carries events, and a way to publish the rest. */
export interface Changes<E extends SesameEvent> {
  /**
   * Runs `work` in one transaction. Events it records are written by the storing subscribers in that transaction and
   * published to the listeners once it has committed; if it fails, nothing is written and nothing is published.
   */
  transact<T>(work: (tx: Transaction<SesameTables>, record: (event: E) => Promise<void>) => Promise<T>): Promise<T>;
  /** Tells the listeners (never the stores) of an event that changes nothing, such as a refused request. */
  publish(event: E): void;
}

/** The event bus of one Sesame instance, over its database. */
export class EventBus<E extends SesameEvent> implements Changes<E> {
  readonly #db: Kysely<SesameTables>;
  readonly #stores: Array<EventStore<E>> = [];
  readonly #listeners: Array<EventListener<E>> = [];
  readonly #onListenerError: (error: unknown, event: E) => void;

  /** Takes the database transactions run on, and what to do when a listener throws (it must never fail a request). */
  constructor(db: Kysely<SesameTables>, onListenerError: (error: unknown, event: E) => void) {
    this.#db = db;
    this.#onListenerError = onListenerError;
  }

  /** Adds a storing subscriber; it runs inside the recording transaction, and its failure fails the change. */
  store(subscriber: EventStore<E>): void {
    this.#stores.push(subscriber);
  }

  /** Adds a listener; it runs after commit, and its failure is reported, never thrown. */
  on(listener: EventListener<E>): void {
    this.#listeners.push(listener);
  }

  /** {@inheritDoc Changes.transact} */
  async transact<T>(work: (tx: Transaction<SesameTables>, record: (event: E) => Promise<void>) => Promise<T>): Promise<T> {
    const recorded: E[] = [];
    const result = await this.#db.transaction().execute((tx) =>
      work(tx, async (event) => {
        recorded.push(event);
        if (event.traffic === true) return;
        for (const store of this.#stores) await store(tx, event);
      }),
    );
    for (const event of recorded) this.publish(event);
    return result;
  }

  /** {@inheritDoc Changes.publish} */
  publish(event: E): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#onListenerError(error, event);
      }
    }
  }
}
