/**
 * Admin tokens: how the admin API knows an operator. A token is 256 random bits shown once at creation; only its
 * SHA-256 is stored (as session ids are), so a leaked database opens no admin door. Tokens are named, listed,
 * revoked one by one, and every check of one records its use at most once a minute.
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../kernel/clock.js';
import { hashToken } from '../../kernel/tokens.js';
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

  /** Takes the store and the clock. */
  constructor(deps: { readonly store: AdminTokenStore; readonly clock: Clock }) {
    this.#store = deps.store;
    this.#clock = deps.clock;
  }

  /** Creates a token; returns it in full (the only time it exists outside the caller) with its id. */
  async create(name: string, createdBy: string): Promise<{ readonly id: number; readonly token: string }> {
    const token = `${ADMIN_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const id = await this.#store.insert(name, hashToken(token), createdBy, this.#clock());
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

  /** Revokes one token at once (the next request with it is refused); false when no live token has that id. */
  revoke(id: number): Promise<boolean> {
    return this.#store.revoke(id, this.#clock());
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
