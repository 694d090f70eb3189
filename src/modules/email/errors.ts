/**
 * The email module's refusals, each with a stable code, so clients tell a dead link from a wrong password or an
 * address already in use without parsing wording.
 * @module
 */
import { SesameError, ServerBusyError } from '../../kernel/errors.js';

/** Every code the email module raises. */
export type EmailErrorCode = 'email.token_invalid' | 'email.password_wrong' | 'email.unchanged' | 'email.change_limited';

/** A refusal of the email module. */
export class EmailError extends SesameError<Exclude<EmailErrorCode, 'email.change_limited'>> {
  /** Builds the refusal; the message is for developers, clients see the surface's own wording. */
  constructor(code: Exclude<EmailErrorCode, 'email.change_limited'>, message: string = code) {
    super(code, message);
  }
}

/**
 * Raised past `CHANGES_PER_HOUR` changes of address of one account in an hour, or when the new address already had
 * `CHANGE_CODES_PER_ADDRESS_PER_HOUR` change codes this hour; surfaces answer 429 with `Retry-After`.
 */
export class EmailChangeLimitedError extends ServerBusyError<'email.change_limited'> {
  /** Builds the error with an hour's wait (the window the count covers). */
  constructor() {
    super('email.change_limited', 'too many changes of address in an hour', 3600);
  }
}
