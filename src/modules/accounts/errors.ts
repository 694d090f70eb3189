/**
 * The accounts module's refusals, each with a stable code, so the CLI, an admin surface and the owner's routes can
 * tell "no such account" from "wrong password" without parsing wording.
 * @module
 */
import { SesameError } from '../../kernel/errors.js';

/** Every code the accounts module raises. */
export type AccountsErrorCode = 'account.not_found' | 'account.password_wrong' | 'account.invalid_page';

/** A refusal of the accounts module. */
export class AccountError extends SesameError<AccountsErrorCode> {
  /** Builds the refusal; the message is for developers and operators, clients see the surface's own wording. */
  constructor(code: AccountsErrorCode, message: string = code) {
    super(code, message);
  }
}
