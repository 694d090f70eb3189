/**
 * The `users` table and the `User` record it yields: the seed's `User` model, with times added and `session_id` moved to `sessions`.
 * @module
 */
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

declare module '../../kernel/database/tables.js' {
  /** The users module's table. */
  interface SesameTables {
    /** Accounts. */
    users: UsersTable;
  }
}

/** Column types of `users`, from which every query's result type is derived, so a renamed column fails the build. */
export interface UsersTable {
  /** Integer primary key, assigned by the database. */
  id: Generated<number>;
  /** Trimmed, lower-cased email; unique in the database so two registrations can never both win. */
  email: string;
  /** Bcrypt hash of the (pre-hashed) password; never the password itself. */
  hashed_password: string;
  /**
   * Bumped whenever the password is replaced (change or reset): a session may only be created for the version its
   * password was checked against, so a login in flight cannot outlive "end every session".
   */
  credential_version: Generated<number>;
  /**
   * When an operator disabled the account (epoch ms), or null while it is active: a disabled account cannot log in,
   * ask for a reset or keep a session, and answers all of them as a wrong password or an unknown email would.
   */
  disabled_at: Generated<number | null>;
  /** Why it was disabled (for operators, never shown to clients), or null. */
  disabled_reason: Generated<string | null>;
  /**
   * When the owner proved the address receives mail (a verification link or code), in epoch ms, or null: with
   * REQUIRE_EMAIL_VERIFICATION on, an unverified account cannot log in. Accounts older than verification count as
   * verified at their creation.
   */
  email_verified_at: Generated<number | null>;
  /** The language Sesame writes to this account in (`en`, `fr`): from `Accept-Language` at registration, changeable. */
  language: Generated<string>;
  /** When the account was created, in epoch milliseconds. */
  created_at: number;
  /** When the row last changed, in epoch milliseconds. */
  updated_at: number;
}

/** A user row as read from the database. */
export type User = Selectable<UsersTable>;

/** A user row as written by `addUser`. */
export type NewUser = Insertable<UsersTable>;

/** The columns `updateUser` may change. */
export type UserChanges = Updateable<UsersTable>;

/** The subset of a user that is safe to hand to route handlers and host applications: no hashes. */
export interface PublicUser {
  /** The user's id. */
  readonly id: number;
  /** The user's stored (normalised) email. */
  readonly email: string;
}

/** Every column name of `users`, checked at run time because `findUserBy`/`updateUser` take caller-supplied keys. */
export const USER_COLUMNS: ReadonlySet<string> = new Set<keyof UsersTable>([
  'id',
  'email',
  'hashed_password',
  'credential_version',
  'disabled_at',
  'disabled_reason',
  'email_verified_at',
  'language',
  'created_at',
  'updated_at',
]);

/** Strips a user row down to what callers outside the account modules may see. */
export function toPublicUser(user: User): PublicUser {
  return { id: user.id, email: user.email };
}

/** Whether an operator has disabled the account (a row read before `0009` has no such column: active). */
export function isDisabled(user: Pick<User, 'disabled_at'> | Partial<Pick<User, 'disabled_at'>>): boolean {
  return user.disabled_at !== undefined && user.disabled_at !== null;
}
