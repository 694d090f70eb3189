/**
 * The audit log: stores every account event (never hostile traffic) as a row of `auth_events`, in the transaction of
 * the change it records, with the account as its id, or, for an account that does not exist, as a keyed pseudonym of
 * the email, so the log never holds a list of addresses someone tried.
 * @module
 */
import type { Clock } from '../../kernel/clock.js';
import type { Executor } from '../../kernel/database/tables.js';
import type { SesameEvent } from '../../kernel/events.js';
import { createHmac } from 'node:crypto';
import { normaliseEmail } from '../users/index.js';
import type { AuditConfig } from './config.js';
import type { StoredAuthEvent } from './schema.js';
import type { AuditFilter, AuditStore } from './store.js';

/** Widths of the client-supplied columns (see migrations.ts): an address or agent past them is cut, never refused. */
const IP_WIDTH = 64;
const USER_AGENT_WIDTH = 256;

/**
 * A client-supplied value cut to a column's width in characters (what PostgreSQL's varchar counts): with
 * `TRUST_PROXY=true` the address is whatever the client put in `X-Forwarded-For`, and a `User-Agent` has no limit,
 * so either would otherwise fail the insert, and with it the change the event belongs to.
 */
function fitted(value: string | undefined, width: number): string | null {
  if (value === undefined) return null;
  const characters = [...value];
  return characters.length <= width ? value : characters.slice(0, width).join('');
}

/** The HKDF purpose of the email pseudonym's key. */
export const PSEUDONYM_PURPOSE = 'audit-pseudonym';

/**
 * The name the pseudonym key is kept under in `sesame_secrets` (sealed under the keyring, see `kernel/kept-keys.ts`).
 *
 * Why the pseudonym key is kept apart from the rotating `SECRET_KEY` rather than re-keyed on rotation: a pseudonym is
 * a one-way HMAC of an address that has no account, and Sesame keeps no list of such addresses (that is the point of
 * the pseudonym), so there is nothing to recompute old pseudonyms from under a new key. Re-keying would leave the
 * old rows of an address unfindable once the previous key is dropped, splitting its audit trail in two. So the key is
 * the one it always was (HKDF of the secret in use when it was first kept, which is what pseudonyms were made with
 * before), kept sealed in the database: a rotation re-seals it (`sesame secret-key rewrap`) and never changes it, and
 * the trail of one address stays one trail. The cost: rotating after a leak of the old secret does not re-hide
 * pseudonyms from whoever holds it.
 */
export const PSEUDONYM_KEPT_KEY = 'audit_pseudonym_key';

/** The audit log of one Sesame instance. */
export class AuditLog {
  readonly #store: AuditStore;
  readonly #pseudonymKey: Buffer;
  readonly #clock: Clock;
  readonly #config: AuditConfig;

  /** Takes its store, the pseudonym key (see {@link PSEUDONYM_KEPT_KEY}), the clock and the retention. */
  constructor(deps: { readonly store: AuditStore; readonly pseudonymKey: Buffer; readonly clock: Clock; readonly config: AuditConfig }) {
    if (deps.pseudonymKey.length < 32) throw new Error('the pseudonym key needs at least 32 bytes');
    this.#store = deps.store;
    this.#pseudonymKey = Buffer.from(deps.pseudonymKey);
    this.#clock = deps.clock;
    this.#config = deps.config;
  }

  /**
   * The pseudonym of an email: the same for `A@x.io` and ` a@x.io `, computable only with the pseudonym key, and the
   * same before and after a rotation of `SECRET_KEY` (see {@link PSEUDONYM_KEPT_KEY}).
   */
  pseudonym(email: string): string {
    return createHmac('sha256', this.#pseudonymKey).update(normaliseEmail(email), 'utf8').digest('hex');
  }

  /** Stores an account event inside the transaction of its change (the event bus calls it); traffic is not stored. */
  readonly persist = async (executor: Executor, event: SesameEvent): Promise<void> => {
    if (event.traffic === true) return;
    const { account, context, detail } = event;
    await this.#store.append(executor, {
      type: event.type,
      user_id: account !== undefined && 'userId' in account ? account.userId : null,
      email_pseudonym: account !== undefined && 'email' in account ? this.pseudonym(account.email) : null,
      actor: context.actor,
      request_id: context.requestId ?? null,
      ip: fitted(context.ip, IP_WIDTH),
      user_agent: fitted(context.userAgent, USER_AGENT_WIDTH),
      created_at: this.#clock(),
      detail: detail === undefined ? null : JSON.stringify(detail),
    });
  };

  /** Stored events, newest first. */
  async list(filter?: AuditFilter): Promise<StoredAuthEvent[]> {
    return this.#store.list(filter);
  }

  /** Deletes events older than the retention (`AUDIT_RETENTION`); the sweeper calls it. */
  async purgeExpired(): Promise<number> {
    return this.#store.purgeOlderThan(this.#clock() - this.#config.retentionMs);
  }
}
