/**
 * The email module's route schemas: verification by token or code, resending, change of address and the mail
 * language (validation, serialisation and the OpenAPI document come from these).
 * @module
 */
import { email, fields, password, token } from '../../../kernel/http/schemas.js';
import { LANGUAGES } from '../../mail/index.js';

/** A code as mailed (`1234-5678`), with room for the spaces people type. */
const code = { type: 'string', minLength: 1, maxLength: 20 } as const;

/** `POST /email/verify`: the link's token, or the address with the code from the message. */
export const verifyBody = {
  type: 'object',
  properties: { token, email, code },
  anyOf: [{ required: ['token'] }, { required: ['email', 'code'] }],
} as const;
/** `POST /email/verify/resend` form. */
export const resendBody = fields({ email });
/** `PUT /email` form. */
export const changeEmailBody = fields({ password, new_email: email });
/** `PUT /profile/language` form. */
export const languageBody = fields({ language: { type: 'string', enum: [...LANGUAGES] } });

/** Body of `POST /email/verify`. */
export interface VerifyBody {
  /** The token from the message's link. */
  token?: string;
  /** With `code`: the account's address (or, for a change, the new address). */
  email?: string;
  /** The short code from the message. */
  code?: string;
}
/** Body of `POST /email/verify/resend`. */
export interface ResendBody {
  /** The address to send the verification message to again. */
  email: string;
}
/** Body of `PUT /email`. */
export interface ChangeEmailBody {
  /** The current password: a stolen session alone must not move the account to another mailbox. */
  password: string;
  /** The address to move to. */
  new_email: string;
}
/** Body of `PUT /profile/language`. */
export interface LanguageBody {
  /** One of the languages Sesame writes mail in. */
  language: string;
}

/** `{"language": ...}`. */
export const languageReply = { type: 'object', properties: { language: { type: 'string' } }, required: ['language'] } as const;
