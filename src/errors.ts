/**
 * Error classes shared by every layer, so the HTTP layer can tell outcomes apart without importing the DB layer.
 * @module
 */

/** Base class so a host application can catch every Sesame error with one `instanceof`. */
export class SesameError extends Error {
  /** Builds the error and names it after its concrete class, so logs and stack traces say which outcome it was. */
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Raised when a lookup matches no row (the seed's `NoResultFound`). */
export class NoResultFoundError extends SesameError {}

/** Raised when a filter or change names a column the `users` table does not have (the seed's `InvalidRequestError` / `ValueError`). */
export class UnknownColumnError extends SesameError {}

/** Raised when registering an email that already has an account; the database's unique index is the final judge. */
export class UserAlreadyExistsError extends SesameError {}

/** Raised when a reset token is unknown, expired, already spent, or belongs to another email. */
export class InvalidResetTokenError extends SesameError {}

/** Raised when a new password breaks the password policy; its message tells the user what to do instead. */
export class WeakPasswordError extends SesameError {}

/** Raised when work that is bounded on purpose (the password-strength queue) is full; the HTTP layer answers 429 with Retry-After. */
export class ServerBusyError extends SesameError {
  /** Seconds after which a retry is likely to be served. */
  readonly retryAfterSeconds: number;

  /** Builds the error with the advice shown to the client. */
  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
