/**
 * Where one-time tokens are kept: the `VerificationTokenStore` port the flows that send tokens use, and its Kysely
 * implementation. Every query names the purpose, so a token issued for one thing never works for another.
 * @module
 */
import type { Executor } from '../../kernel/database/tables.js';
import type { User } from '../users/index.js';
import type { TokenPurpose } from './schema.js';

/** What the token flows need of storage; a store bound to a transaction writes in it. */
export interface VerificationTokenStore {
  /** The same store writing inside a transaction. */
  in(executor: Executor): VerificationTokenStore;
  /**
   * Stores a new token for an account; with `replace`, the account's earlier unspent tokens of that purpose go. A
   * `codeHash` lets the token be spent by its short code too; `newEmail` is the address an `email_change` confirms.
   */
  issue(purpose: TokenPurpose, userId: number, tokenHash: string, expiresAt: number, now: number, options: IssueOptions): Promise<void>;
  /** Gives an issued token its short code (the mail that carries both is written after the token). */
  attachCode(tokenHash: string, codeHash: string): Promise<void>;
  /** A live token of one of `purposes` by its hash, with its account, or undefined. */
  findLive(purposes: readonly TokenPurpose[], tokenHash: string, now: number): Promise<LiveToken | undefined>;
  /**
   * Counts one guess of a code against every live token of these purposes of an account that still takes codes
   * (fewer than `maxAttempts` guesses so far) and returns those tokens: the caller compares the code with each. The
   * count comes first and is one statement, so parallel guesses cannot get more than `maxAttempts` looks at a token.
   */
  countGuess(purposes: readonly TokenPurpose[], userId: number, now: number, maxAttempts: number): Promise<GuessTarget[]>;
  /** The live `email_change` token (if any) that would move an account to `newEmail`, with that account: a code typed with the new address finds it. */
  findChangeTo(newEmail: string, now: number): Promise<LiveToken | undefined>;
  /** The account holding a live (unspent, unexpired) token of this purpose, by the token's hash, or undefined. */
  findHolder(purpose: TokenPurpose, tokenHash: string, now: number): Promise<User | undefined>;
  /** Spends a live token of this account; of several racing spends exactly one gets true. */
  consume(purpose: TokenPurpose, userId: number, tokenHash: string, now: number): Promise<boolean>;
  /** Deletes every unspent token of this purpose of an account (a password change makes reset links moot). */
  revokeAllOfUser(purpose: TokenPurpose, userId: number): Promise<number>;
  /** Deletes tokens past their expiry, spent or not; returns how many. */
  purgeExpired(now: number): Promise<number>;
  /**
   * When the last live code stops working (its token expires), or undefined when none is live: the longest a
   * previous `SECRET_KEY` may still be needed for codes mailed before a rotation (a code's hash cannot say its key).
   */
  lastCodeExpiry(now: number): Promise<number | undefined>;
}

/** Extra fields of a token at issue. */
export interface IssueOptions {
  /** Drop the account's earlier unspent tokens of the purpose. */
  readonly replace: boolean;
  /** Keyed hash of the token's short code, when it has one. */
  readonly codeHash?: string;
  /** For `email_change`: the address it confirms. */
  readonly newEmail?: string;
}

/** A live token as the flows that spend it see it. */
export interface LiveToken {
  /** The account it was issued to. */
  readonly user: User;
  /** What it is for. */
  readonly purpose: TokenPurpose;
  /** Its hash, which names it to {@link VerificationTokenStore.consume}. */
  readonly tokenHash: string;
  /** For `email_change`: the address it confirms, else null. */
  readonly newEmail: string | null;
}

/** A token a code guess was counted against. */
export interface GuessTarget {
  /** What it is for. */
  readonly purpose: TokenPurpose;
  /** Its hash, which names it to {@link VerificationTokenStore.consume}. */
  readonly tokenHash: string;
  /** The keyed hash of its code. */
  readonly codeHash: string;
  /** For `email_change`: the address it confirms, else null. */
  readonly newEmail: string | null;
}

/** {@link VerificationTokenStore} over Kysely. */
export class KyselyVerificationStore implements VerificationTokenStore {
  readonly #db: Executor;

  /** Takes the executor to query through. */
  constructor(db: Executor) {
    this.#db = db;
  }

  /** {@inheritDoc VerificationTokenStore.in} */
  in(executor: Executor): VerificationTokenStore {
    return new KyselyVerificationStore(executor);
  }

  /** {@inheritDoc VerificationTokenStore.issue} */
  async issue(purpose: TokenPurpose, userId: number, tokenHash: string, expiresAt: number, now: number, options: IssueOptions): Promise<void> {
    if (options.replace) await this.revokeAllOfUser(purpose, userId);
    await this.#db
      .insertInto('verification_tokens')
      .values({
        purpose,
        user_id: userId,
        token_hash: tokenHash,
        created_at: now,
        expires_at: expiresAt,
        ...(options.codeHash === undefined ? {} : { code_hash: options.codeHash }),
        ...(options.newEmail === undefined ? {} : { new_email: options.newEmail }),
      })
      .execute();
  }

  /** {@inheritDoc VerificationTokenStore.attachCode} */
  async attachCode(tokenHash: string, codeHash: string): Promise<void> {
    await this.#db.updateTable('verification_tokens').set({ code_hash: codeHash }).where('token_hash', '=', tokenHash).execute();
  }

  /** {@inheritDoc VerificationTokenStore.findLive} */
  async findLive(purposes: readonly TokenPurpose[], tokenHash: string, now: number): Promise<LiveToken | undefined> {
    const row = await this.#db
      .selectFrom('verification_tokens')
      .innerJoin('users', 'users.id', 'verification_tokens.user_id')
      .selectAll('users')
      .select(['verification_tokens.purpose as token_purpose', 'verification_tokens.new_email as token_new_email'])
      .where('verification_tokens.token_hash', '=', tokenHash)
      .where('verification_tokens.purpose', 'in', [...purposes])
      .where('verification_tokens.consumed_at', 'is', null)
      .where('verification_tokens.expires_at', '>', now)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    const { token_purpose: purpose, token_new_email: newEmail, ...user } = row;
    return { user, purpose, tokenHash, newEmail };
  }

  /** {@inheritDoc VerificationTokenStore.countGuess} */
  async countGuess(purposes: readonly TokenPurpose[], userId: number, now: number, maxAttempts: number): Promise<GuessTarget[]> {
    const rows = await this.#db
      .updateTable('verification_tokens')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('user_id', '=', userId)
      .where('purpose', 'in', [...purposes])
      .where('consumed_at', 'is', null)
      .where('expires_at', '>', now)
      .where('code_hash', 'is not', null)
      .where('attempts', '<', maxAttempts)
      .returning(['purpose', 'token_hash', 'code_hash', 'new_email'])
      .execute();
    return rows.map((row) => ({ purpose: row.purpose, tokenHash: row.token_hash, codeHash: row.code_hash ?? '', newEmail: row.new_email }));
  }

  /** {@inheritDoc VerificationTokenStore.findChangeTo} */
  async findChangeTo(newEmail: string, now: number): Promise<LiveToken | undefined> {
    const row = await this.#db
      .selectFrom('verification_tokens')
      .innerJoin('users', 'users.id', 'verification_tokens.user_id')
      .selectAll('users')
      .select(['verification_tokens.token_hash as token_hash'])
      .where('verification_tokens.new_email', '=', newEmail)
      .where('verification_tokens.purpose', '=', 'email_change')
      .where('verification_tokens.consumed_at', 'is', null)
      .where('verification_tokens.expires_at', '>', now)
      .orderBy('verification_tokens.id', 'desc')
      .executeTakeFirst();
    if (row === undefined) return undefined;
    const { token_hash: tokenHash, ...user } = row;
    return { user, purpose: 'email_change', tokenHash, newEmail };
  }

  /** {@inheritDoc VerificationTokenStore.findHolder} */
  async findHolder(purpose: TokenPurpose, tokenHash: string, now: number): Promise<User | undefined> {
    return this.#db
      .selectFrom('verification_tokens')
      .innerJoin('users', 'users.id', 'verification_tokens.user_id')
      .selectAll('users')
      .where('verification_tokens.token_hash', '=', tokenHash)
      .where('verification_tokens.purpose', '=', purpose)
      .where('verification_tokens.consumed_at', 'is', null)
      .where('verification_tokens.expires_at', '>', now)
      .executeTakeFirst();
  }

  /** {@inheritDoc VerificationTokenStore.consume} */
  async consume(purpose: TokenPurpose, userId: number, tokenHash: string, now: number): Promise<boolean> {
    const result = await this.#db
      .updateTable('verification_tokens')
      .set({ consumed_at: now })
      .where('token_hash', '=', tokenHash)
      .where('purpose', '=', purpose)
      .where('user_id', '=', userId)
      .where('consumed_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** {@inheritDoc VerificationTokenStore.revokeAllOfUser} */
  async revokeAllOfUser(purpose: TokenPurpose, userId: number): Promise<number> {
    const result = await this.#db
      .deleteFrom('verification_tokens')
      .where('user_id', '=', userId)
      .where('purpose', '=', purpose)
      .where('consumed_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** {@inheritDoc VerificationTokenStore.purgeExpired} */
  async purgeExpired(now: number): Promise<number> {
    const result = await this.#db.deleteFrom('verification_tokens').where('expires_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** {@inheritDoc VerificationTokenStore.lastCodeExpiry} */
  async lastCodeExpiry(now: number): Promise<number | undefined> {
    const row = await this.#db
      .selectFrom('verification_tokens')
      .select((eb) => eb.fn.max('expires_at').as('last'))
      .where('code_hash', 'is not', null)
      .where('consumed_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row?.last === null || row?.last === undefined ? undefined : Number(row.last);
  }
}
