/**
 * The users module's refusals: the seed's `NoResultFound`, `InvalidRequestError` and "already exists", each with a
 * stable code.
 * @module
 */
import { SesameError } from '../../kernel/errors.js';

/** Every code the users module raises. */
export type UsersErrorCode = 'users.not_found' | 'users.unknown_column' | 'users.email_taken' | 'users.invalid_email';

/** Raised when a lookup matches no row (the seed's `NoResultFound`). */
export class NoResultFoundError extends SesameError<'users.not_found'> {
  /** Builds the error with a message naming what was looked for. */
  constructor(message: string) {
    super('users.not_found', message);
  }
}

/** Raised when a filter or change names a column the `users` table does not have (the seed's `InvalidRequestError` / `ValueError`). */
export class UnknownColumnError extends SesameError<'users.unknown_column'> {
  /** Builds the error with a message naming the column. */
  constructor(message: string) {
    super('users.unknown_column', message);
  }
}

/** Raised when registering an email that already has an account; the database's unique index is the final judge. */
export class UserAlreadyExistsError extends SesameError<'users.email_taken'> {
  /** Builds the error with the seed's message, `User <email> already exists`. */
  constructor(email: string) {
    super('users.email_taken', `User ${email} already exists`);
  }
}

/** Raised when an email to be stored is not an address (see `checkedEmail`); the message says what is wrong. */
export class InvalidEmailError extends SesameError<'users.invalid_email'> {
  /** Builds the error with a message naming the problem. */
  constructor(message: string) {
    super('users.invalid_email', message);
  }
}
