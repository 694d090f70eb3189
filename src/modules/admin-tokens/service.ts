/**
 * Admin tokens: how the admin API knows an operator. A token is 256 random bits shown once at creation; only its
 * SHA-256 is stored (as session ids are), so a leaked database opens no admin door. Tokens are named, listed,
 * revoked one by one, and every check of one records its use at most once a minute.
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../kernel/clock.js';
import type { Changes, EventContext } from '../../kernel/events.js';
import { hashToken } from '../../kernel/tokens.js';
import type { AdminTokensEvent } from './events.js';
import type { AdminTokenStore } from './store.js';

/** A token as `admin-tokens list` and the admin API show it: never its hash. */
export interface AdminTokenSummary {
  /** Its id (the audit log's actor is `admin-token:<id>`). */
  readonly id: number;
  /** Its name. */
  readonly name: string;
  /** Who created it. */
  readonly createdBy: string;
  /** When, in epoch ms. */
  readonly createdAt: number;
  /** Last use, in epoch ms, or null. */
  readonly lastUsedAt: number | null;
  /** When it was revoked, or null while it works. */
  readonly revokedAt: number | null;
}

/** What a successful check yields: who is acting. */
export interface AdminIdentity {
  /** The token's id. */
  readonly tokenId: number;
  /** The audit log's actor for this token: `admin-token:<id>`. */
  readonly actor: string;
}

/** Prefix of every admin token, so a secret scanner (and a human) can tell one from other secrets. */
export const ADMIN_TOKEN_PREFIX = 'sesame_admin_';

/** How often a token's last use is written at most. */
const TOUCH_INTERVAL_MS = 60_000;

/** Creates, lists, revokes and checks admin tokens. */
export class AdminTokens {
  readonly #store: AdminTokenStore;
  readonly #clock: Clock;
  readonly #changes: Changes<AdminTokensEvent>;

  /** Takes the store, the clock, and the event bus the changes are audited through. */
  constructor(deps: { readonly store: AdminTokenStore; readonly clock: Clock; readonly changes: Changes<AdminTokensEvent> }) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#changes = deps.changes;
  }

  /**
   * Creates a token and records `admin_token.created` in the same transaction, with the creator (`context.actor`,
   * the CLI's operator) as actor and as the row's `created_by`; returns the token in full (the only time it exists
   * outside the caller) with its id.
   */
  async create(name: string, context: EventContext): Promise<{ readonly id: number; readonly token: string }> {
    const token = `${ADMIN_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const id = await this.#changes.transact(async (tx, record) => {
      const inserted = await this.#store.in(tx).insert(name, hashToken(token), context.actor, this.#clock());
      // The id and the name say which token; the token (or its hash) would be a credential in the log.
      await record({ type: 'admin_token.created', context, detail: { tokenId: inserted, name } });
      return inserted;
    });
    return { id, token };
  }

  /** Every token, revoked ones included. */
  async list(): Promise<AdminTokenSummary[]> {
    return (await this.#store.list()).map((row) => ({
      id: row.id,
      name: row.name,
      createdBy: row.created_by,
      createdAt: row.created_at,
      lastUsedAt: row.last_used_at,
      revokedAt: row.revoked_at,
    }));
  }

  /**
   * Revokes one token at once (the next request with it is refused) and records `admin_token.revoked` with the
   * revoker as actor, in one transaction; false, recording nothing, when no live token has that id.
   */
  revoke(id: number, context: EventContext): Promise<boolean> {
    return this.#changes.transact(async (tx, record) => {
      if (!(await this.#store.in(tx).revoke(id, this.#clock()))) return false;
      await record({ type: 'admin_token.revoked', context, detail: { tokenId: id } });
      return true;
    });
  }

  /** The identity a presented token stands for, or null for a missing, unknown or revoked one. */
  async check(token: string | undefined): Promise<AdminIdentity | null> {
    if (token === undefined || !token.startsWith(ADMIN_TOKEN_PREFIX) || token.length > 128) return null;
    const row = await this.#store.findLive(hashToken(token));
    if (row === undefined) return null;
    const now = this.#clock();
    if (row.last_used_at === null || now - row.last_used_at >= TOUCH_INTERVAL_MS) await this.#store.touch(row.id, now);
    return { tokenId: row.id, actor: `admin-token:${row.id}` };
  }
}
