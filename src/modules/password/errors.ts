/**
 * The password module's refusals, each with a stable code.
 * @module
 */
import { SesameError, ServerBusyError } from '../../kernel/errors.js';

/** Every code the password module raises. */
export type PasswordErrorCode =
  | 'password.weak'
  | 'password.breached'
  | 'password.check_busy'
  | 'password.too_costly'
  | 'password.current_wrong'
  | 'login.invalid_credentials'
  | 'login.email_not_verified'
  | 'reset.token_invalid'
  | 'reset.email_unknown';

/**
 * Raised when a new password breaks the password policy; its message tells the user what to do instead. Generic in
 * its code so that {@link BreachedPasswordError} is one too: every surface that shows a weak password's advice shows
 * a breached one's without knowing it, while clients can tell the two apart by code.
 */
export class WeakPasswordError<Code extends 'password.weak' | 'password.breached' = 'password.weak'> extends SesameError<Code> {
  /** Builds the error with the advice shown to the user. */
  constructor(advice: string, code: Code = 'password.weak' as Code) {
    super(code, advice);
  }
}

/**
 * Raised when a new password appears in known breaches (the breach filter): attackers try those first, on every site.
 * The advice never says which list, only that it was breached somewhere.
 */
export class BreachedPasswordError extends WeakPasswordError<'password.breached'> {
  /** Builds the refusal with its fixed advice. */
  constructor() {
    super('password appears in known data breaches, so attackers try it first: choose another (a passphrase of several unrelated words)', 'password.breached');
  }
}

/** Raised when the password-strength queue is full (load shedding); surfaces answer 429 with `Retry-After`. */
export class PasswordCheckBusyError extends ServerBusyError<'password.check_busy'> {
  /** Builds the error with the advised wait. */
  constructor(retryAfterSeconds: number) {
    super('password.check_busy', 'too many new passwords are being checked right now: try again in a few seconds', retryAfterSeconds);
  }
}

/**
 * Raised when scoring a password ran past the time cap (`PASSWORD_CHECK_TIMEOUT`): such a password is built to be
 * costly, and the thread checking it is stopped rather than let it hold the pool.
 */
export class PasswordTooCostlyError extends SesameError<'password.too_costly'> {
  /** Builds the error; the surface's table words the advice. */
  constructor() {
    super('password.too_costly', 'checking this password took too long');
  }
}

/** Raised when a reset token is unknown, expired, already spent, or belongs to another email. */
export class InvalidResetTokenError extends SesameError<'reset.token_invalid'> {
  /** Builds the error with a message for developers (clients see the surface's own wording). */
  constructor(message: string) {
    super('reset.token_invalid', message);
  }
}

/** A refusal of the password module that carries no detail beyond its code. */
export class PasswordError extends SesameError<'password.current_wrong' | 'login.invalid_credentials' | 'login.email_not_verified' | 'reset.email_unknown'> {
  /** Builds the refusal; the message is for developers, clients see the surface's own wording. */
  constructor(code: 'password.current_wrong' | 'login.invalid_credentials' | 'login.email_not_verified' | 'reset.email_unknown', message: string = code) {
    super(code, message);
  }
}
