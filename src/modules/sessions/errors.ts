/**
 * The sessions module's refusals, each with a stable code.
 * @module
 */
import { SesameError } from '../../kernel/errors.js';

/** Every code the sessions module raises. */
export type SessionsErrorCode = 'session.required' | 'session.not_found' | 'session.unknown_handle' | 'session.wrong_password';

/** A refusal of the sessions module. */
export class SessionError extends SesameError<SessionsErrorCode> {
  /** Builds the refusal; the message is for developers, clients see the surface's own wording. */
  constructor(code: SessionsErrorCode, message: string = code) {
    super(code, message);
  }
}
