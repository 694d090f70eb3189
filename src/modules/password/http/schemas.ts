/**
 * The password module's route schemas: registration, login, password change and reset (validation, serialisation
 * and the OpenAPI document come from these).
 * @module
 */
import { email, fields, password, token } from '../../../kernel/http/schemas.js';

/** `POST /users` and `POST /sessions` form. */
export const credentialsBody = fields({ email, password });
/** `PUT /password` form. */
export const passwordChangeBody = fields({ password, new_password: password });
/** `POST /reset_password` form. */
export const resetRequestBody = fields({ email });
/** `PUT /reset_password` form. */
export const resetUpdateBody = fields({ email, reset_token: token, new_password: password });

/** Body of `POST /users` and `POST /sessions`. */
export interface CredentialsBody {
  /** The address as the client typed it. */
  email: string;
  /** The password in clear, only ever passed to the hasher. */
  password: string;
}
/** Body of `PUT /password`. */
export interface PasswordChangeBody {
  /** The current password, proving the person at the keyboard is the account's owner. */
  password: string;
  /** The password to set. */
  new_password: string;
}
/** Body of `POST /reset_password`. */
export interface ResetRequestBody {
  /** The address as the client typed it. */
  email: string;
}
/** Body of `PUT /reset_password`. */
export interface ResetUpdateBody {
  /** The address the token was issued for. */
  email: string;
  /** The token from `POST /reset_password`. */
  reset_token: string;
  /** The password to set. */
  new_password: string;
}

/** `{"email": ..., "reset_token": ...}` of `POST /reset_password`. */
export const resetTokenReply = {
  type: 'object',
  properties: { email: { type: 'string' }, reset_token: { type: 'string' } },
  required: ['email', 'reset_token'],
} as const;

