/**
 * The one error shape every Sesame refusal takes: a stable code (a string each module declares for its own refusals)
 * and a message for developers; each HTTP surface maps codes to a status and a client message in one table.
 * @module
 */

/**
 * Base class of every refusal Sesame raises, so a host application can catch them all with one `instanceof` and tell
 * them apart by `code`, which stays stable when the message is reworded.
 */
export class SesameError<Code extends string = string> extends Error {
  /** What was refused, as a stable dotted name such as `users.email_taken`. */
  readonly code: Code;

  /** Builds the error and names it after its concrete class, so logs and stack traces say which outcome it was. */
  constructor(code: Code, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Raised when work that is bounded on purpose is full; surfaces answer 429 with the advised wait. */
export class ServerBusyError<Code extends string = string> extends SesameError<Code> {
  /** Seconds after which a retry is likely to be served. */
  readonly retryAfterSeconds: number;

  /** Builds the error with the advice shown to the client. */
  constructor(code: Code, message: string, retryAfterSeconds: number) {
    super(code, message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
