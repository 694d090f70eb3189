/**
 * Where invitations and spent challenges are kept: the `SignupStore` port the sign-up service uses, and its Kysely
 * implementation. Spending either is one conditional statement, so of two racing spends exactly one wins.
 * @module
 */
import type { Executor } from '../../kernel/database/tables.js';

/** A live invitation, as the sign-up sees it. */
export interface LiveInvitation {
  /** The address it fixes. */
  readonly email: string;
  /** When it stops working, in epoch ms. */
  readonly expiresAt: number;
}

/** What the sign-up service needs of storage; a store bound to a transaction writes in it. */
export interface SignupStore {
  /** The same store writing inside a transaction. */
  in(executor: Executor): SignupStore;
  /** Stores a new invitation (its token's hash only). */
  invite(email: string, tokenHash: string, createdBy: string, now: number, expiresAt: number): Promise<void>;
  /** The live (unspent, unexpired) invitation with this token hash, or undefined. */
  findLive(tokenHash: string, now: number): Promise<LiveInvitation | undefined>;
  /** Spends a live invitation for `email`; of several racing spends exactly one gets true, and a wrong address none. */
  spend(tokenHash: string, email: string, now: number): Promise<boolean>;
  /** Records a challenge as spent; false when it already was (a replay). One insert: racing spends get one true. */
  spendChallenge(challenge: string, expiresAt: number): Promise<boolean>;
  /** Deletes invitations and spent challenges past their expiry; returns how many of each. */
  purgeExpired(now: number): Promise<{ readonly invitations: number; readonly spentChallenges: number }>;
}

/** {@link SignupStore} over Kysely. */
export class KyselySignupStore implements SignupStore {
  readonly #db: Executor;

  /** Takes the executor to query through. */
  constructor(db: Executor) {
    this.#db = db;
  }

  /** {@inheritDoc SignupStore.in} */
  in(executor: Executor): SignupStore {
    return new KyselySignupStore(executor);
  }

  /** {@inheritDoc SignupStore.invite} */
  async invite(email: string, tokenHash: string, createdBy: string, now: number, expiresAt: number): Promise<void> {
    await this.#db.insertInto('invitations').values({ email, token_hash: tokenHash, created_by: createdBy, created_at: now, expires_at: expiresAt }).execute();
  }

  /** {@inheritDoc SignupStore.findLive} */
  async findLive(tokenHash: string, now: number): Promise<LiveInvitation | undefined> {
    const row = await this.#db
      .selectFrom('invitations')
      .select(['email', 'expires_at'])
      .where('token_hash', '=', tokenHash)
      .where('consumed_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row === undefined ? undefined : { email: row.email, expiresAt: Number(row.expires_at) };
  }

  /** {@inheritDoc SignupStore.spend} */
  async spend(tokenHash: string, email: string, now: number): Promise<boolean> {
    const result = await this.#db
      .updateTable('invitations')
      .set({ consumed_at: now })
      .where('token_hash', '=', tokenHash)
      .where('email', '=', email)
      .where('consumed_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** {@inheritDoc SignupStore.spendChallenge} */
  async spendChallenge(challenge: string, expiresAt: number): Promise<boolean> {
    const result = await this.#db
      .insertInto('spent_challenges')
      .values({ challenge, expires_at: expiresAt })
      .onConflict((conflict) => conflict.column('challenge').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  /** {@inheritDoc SignupStore.purgeExpired} */
  async purgeExpired(now: number): Promise<{ readonly invitations: number; readonly spentChallenges: number }> {
    const invitations = await this.#db.deleteFrom('invitations').where('expires_at', '<=', now).executeTakeFirst();
    const spent = await this.#db.deleteFrom('spent_challenges').where('expires_at', '<=', now).executeTakeFirst();
    return { invitations: Number(invitations.numDeletedRows), spentChallenges: Number(spent.numDeletedRows) };
  }
}
