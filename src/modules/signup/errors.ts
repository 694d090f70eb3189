/**
 * The sign-up module's refusals: who may not sign up (closed, invitation only, a domain outside the list) and a
 * missing or bad proof of work. Each depends on the mode, the address's domain or what the client sent, never on
 * whether the address has an account, so none of them tells anyone who is registered.
 * @module
 */
import { SesameError } from '../../kernel/errors.js';

/** Every code the sign-up module raises. */
export type SignupErrorCode =
  | 'signup.closed'
  | 'signup.invitation_required'
  | 'signup.invitation_invalid'
  | 'signup.domain_not_allowed'
  | 'signup.challenge_required'
  | 'signup.challenge_invalid'
  | 'signup.invitation_undeliverable';

/** A refused sign-up; the code says why (the API's error table gives each its status and message). */
export class SignupRefusedError extends SesameError<Exclude<SignupErrorCode, 'signup.invitation_undeliverable'>> {
  /** Builds the refusal from its code alone: the table words it, so nothing the client sent is echoed. */
  constructor(code: Exclude<SignupErrorCode, 'signup.invitation_undeliverable'>) {
    super(code, code);
  }
}

/** Raised by `sesame users invite` and `POST /admin/invitations` when no message can leave (no mail, no webhook). */
export class InvitationUndeliverableError extends SesameError<'signup.invitation_undeliverable'> {
  /** Builds the error with the remedy in its message. */
  constructor() {
    super('signup.invitation_undeliverable', INVITATION_UNDELIVERABLE);
  }
}

/** What an operator is told when an invitation cannot be sent: the settings that would let it leave. */
export const INVITATION_UNDELIVERABLE = 'invitations are mailed: configure SMTP_URL and MAIL_FROM (or RESET_WEBHOOK_URL for your own mailer) first';
